/* Part of the db module (db.c only): the VFS every connection opens with
 * (db_vfs.c: WAL frames of a transaction written with one system call). */
#ifndef HY_DB_VFS_H
#define HY_DB_VFS_H

#include <sqlite3.h>

/* Registers it once (before the first connection); its name, or NULL if
 * SQLite's unix VFS is not there (then the default is used). */
const char *db_vfs_register(void);

#endif
