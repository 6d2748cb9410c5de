/* What every operation runs with: the settings and one database connection
 * (a connection belongs to one thread: the runner thread has its own ctx). */
#ifndef HY_CTX_H
#define HY_CTX_H

#include "config.h"
#include "db.h"

typedef struct hy_ctx {
    const hy_config *cfg;   /* not owned */
    hy_db *db;              /* not owned */
} hy_ctx;

#endif
