/* The SQL migrations in db/migrations/, embedded at build time (tools/embed.c). */
#ifndef HY_MIGRATIONS_H
#define HY_MIGRATIONS_H

struct hy_migration {
    int version;       /* NNN of NNN_name.sql; applied under PRAGMA user_version */
    const char *name;  /* file name, for messages */
    const char *sql;
};

extern const struct hy_migration hy_migrations[];
extern const int hy_migration_count;

#endif
