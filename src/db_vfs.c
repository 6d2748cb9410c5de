/* Part of the db module: a VFS over SQLite's default (unix) one that
 * writes a transaction's WAL frames with one system call instead of two per
 * frame.
 *
 * SQLite writes each WAL frame as a 24-byte header and then the page, with
 * one pwrite each, at offsets that are not page-aligned: a transaction of
 * 60 pages costs 120 system calls and twice the kernel's per-page work
 * (measured here: 100 us against 33 us for one pwrite of the same bytes;
 * a fifth of an interactive action's CPU time). This VFS collects
 * contiguous writes to a WAL file in a buffer and writes them at once:
 *  - when the page after a commit frame's header arrives (the last write of
 *    a commit), inside that xWrite, so a write error fails the commit as
 *    before, and before SQLite publishes the commit in the shared index;
 *  - before any other operation on the file (read, sync, truncate, size,
 *    locks, shared-memory calls, close), and when a write is not contiguous
 *    or the buffer is full.
 * So every byte reaches the file (the OS) before anyone can read it, in the
 * same order; nothing changes for syncs (synchronous=NORMAL syncs the WAL
 * at checkpoints, not at commits) or for a crash (a commit not yet written
 * was never published). Other files (the database, the shared-memory
 * index) are the unix VFS's own objects, untouched. */
#include "db_vfs.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* The unix VFS writes at most 128 KiB at once (seekAndWriteFd masks the
 * length with 0x1ffff): about 30 pages per system call. */
#define BUF_MAX (124 * 1024)
#define FRAME_HDR 24           /* WAL frame header */

typedef struct {
    sqlite3_file base;          /* our methods */
    sqlite3_file *real;         /* the unix VFS's file, after this struct */
    unsigned char *buf;         /* pending bytes for [off, off + len) */
    sqlite3_int64 off;
    int len;
    bool commit_next;           /* the next write is the page of a commit frame */
} wal_file;

static sqlite3_vfs *real_vfs;
static sqlite3_vfs shim_vfs;
static sqlite3_io_methods wal_methods;

#define REAL(f) (((wal_file *)(f))->real)
#define ALIGN8(n) (((n) + 7) & ~(size_t)7)

static int flush(sqlite3_file *f)
{
    wal_file *w = (wal_file *)f;
    if (w->len == 0) return SQLITE_OK;
    int rc = w->real->pMethods->xWrite(w->real, w->buf, w->len, w->off);
    w->len = 0;
    return rc;
}

static int w_close(sqlite3_file *f)
{
    wal_file *w = (wal_file *)f;
    int rc = flush(f);
    int rc2 = w->real->pMethods->xClose(w->real);
    free(w->buf);
    w->buf = NULL;
    return rc != SQLITE_OK ? rc : rc2;
}

static int w_read(sqlite3_file *f, void *p, int n, sqlite3_int64 off)
{
    int rc = flush(f);
    return rc != SQLITE_OK ? rc : REAL(f)->pMethods->xRead(REAL(f), p, n, off);
}

static int w_write(sqlite3_file *f, const void *p, int n, sqlite3_int64 off)
{
    wal_file *w = (wal_file *)f;
    bool last = w->commit_next;
    w->commit_next = false;
    if (w->len > 0 && (off != w->off + w->len || w->len + n > BUF_MAX)) {
        int rc = flush(f);
        if (rc != SQLITE_OK) return rc;
    }
    if (n > BUF_MAX || !w->buf) return w->real->pMethods->xWrite(w->real, p, n, off);
    if (w->len == 0) w->off = off;
    memcpy(w->buf + w->len, p, (size_t)n);
    w->len += n;
    if (last) return flush(f);
    /* A frame header whose "database size after commit" is set: the page
     * that follows ends the transaction. */
    if (n == FRAME_HDR) {
        const unsigned char *h = p;
        w->commit_next = (h[4] | h[5] | h[6] | h[7]) != 0;
    }
    return SQLITE_OK;
}

static int w_truncate(sqlite3_file *f, sqlite3_int64 size)
{
    int rc = flush(f);
    return rc != SQLITE_OK ? rc : REAL(f)->pMethods->xTruncate(REAL(f), size);
}

static int w_sync(sqlite3_file *f, int flags)
{
    int rc = flush(f);
    return rc != SQLITE_OK ? rc : REAL(f)->pMethods->xSync(REAL(f), flags);
}

static int w_file_size(sqlite3_file *f, sqlite3_int64 *size)
{
    int rc = flush(f);
    return rc != SQLITE_OK ? rc : REAL(f)->pMethods->xFileSize(REAL(f), size);
}

static int w_lock(sqlite3_file *f, int level)
{
    int rc = flush(f);
    return rc != SQLITE_OK ? rc : REAL(f)->pMethods->xLock(REAL(f), level);
}

static int w_unlock(sqlite3_file *f, int level)
{
    int rc = flush(f);
    return rc != SQLITE_OK ? rc : REAL(f)->pMethods->xUnlock(REAL(f), level);
}

static int w_check_reserved(sqlite3_file *f, int *out)
{
    return REAL(f)->pMethods->xCheckReservedLock(REAL(f), out);
}

static int w_file_control(sqlite3_file *f, int op, void *arg)
{
    int rc = flush(f);
    return rc != SQLITE_OK ? rc : REAL(f)->pMethods->xFileControl(REAL(f), op, arg);
}

static int w_sector_size(sqlite3_file *f) { return REAL(f)->pMethods->xSectorSize(REAL(f)); }

static int w_device(sqlite3_file *f) { return REAL(f)->pMethods->xDeviceCharacteristics(REAL(f)); }

static int w_shm_map(sqlite3_file *f, int pg, int pgsz, int extend, void volatile **p)
{
    int rc = flush(f);
    return rc != SQLITE_OK ? rc : REAL(f)->pMethods->xShmMap(REAL(f), pg, pgsz, extend, p);
}

static int w_shm_lock(sqlite3_file *f, int offset, int n, int flags)
{
    int rc = flush(f);
    return rc != SQLITE_OK ? rc : REAL(f)->pMethods->xShmLock(REAL(f), offset, n, flags);
}

static void w_shm_barrier(sqlite3_file *f)
{
    flush(f); /* (never pending here: a commit's last write flushes) */
    REAL(f)->pMethods->xShmBarrier(REAL(f));
}

static int w_shm_unmap(sqlite3_file *f, int del)
{
    int rc = flush(f);
    return rc != SQLITE_OK ? rc : REAL(f)->pMethods->xShmUnmap(REAL(f), del);
}

static int w_fetch(sqlite3_file *f, sqlite3_int64 off, int n, void **pp)
{
    int rc = flush(f);
    return rc != SQLITE_OK ? rc : REAL(f)->pMethods->xFetch(REAL(f), off, n, pp);
}

static int w_unfetch(sqlite3_file *f, sqlite3_int64 off, void *p)
{
    return REAL(f)->pMethods->xUnfetch(REAL(f), off, p);
}

/* WAL files get the buffering methods (the unix file follows our struct);
 * every other file is the unix VFS's own object, at the same address. */
static int shim_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *f, int flags, int *out_flags)
{
    (void)vfs;
    if (!(flags & SQLITE_OPEN_WAL)) return real_vfs->xOpen(real_vfs, name, f, flags, out_flags);
    wal_file *w = (wal_file *)f;
    memset(w, 0, sizeof *w);
    w->real = (sqlite3_file *)((char *)f + ALIGN8(sizeof *w));
    int rc = real_vfs->xOpen(real_vfs, name, w->real, flags, out_flags);
    if (rc != SQLITE_OK) return rc; /* base.pMethods stays NULL: SQLite will not close it */
    w->buf = malloc(BUF_MAX); /* NULL: writes go straight through */
    w->base.pMethods = &wal_methods;
    return SQLITE_OK;
}

/* The rest of the VFS is the unix one's, called with its own object. */
static int v_delete(sqlite3_vfs *v, const char *n, int sync) { (void)v; return real_vfs->xDelete(real_vfs, n, sync); }
static int v_access(sqlite3_vfs *v, const char *n, int flags, int *out)
{
    (void)v;
    return real_vfs->xAccess(real_vfs, n, flags, out);
}
static int v_full_pathname(sqlite3_vfs *v, const char *n, int len, char *out)
{
    (void)v;
    return real_vfs->xFullPathname(real_vfs, n, len, out);
}
static void *v_dlopen(sqlite3_vfs *v, const char *n) { (void)v; return real_vfs->xDlOpen(real_vfs, n); }
static void v_dlerror(sqlite3_vfs *v, int n, char *msg) { (void)v; real_vfs->xDlError(real_vfs, n, msg); }
static void (*v_dlsym(sqlite3_vfs *v, void *h, const char *s))(void) { (void)v; return real_vfs->xDlSym(real_vfs, h, s); }
static void v_dlclose(sqlite3_vfs *v, void *h) { (void)v; real_vfs->xDlClose(real_vfs, h); }
static int v_randomness(sqlite3_vfs *v, int n, char *out) { (void)v; return real_vfs->xRandomness(real_vfs, n, out); }
static int v_sleep(sqlite3_vfs *v, int us) { (void)v; return real_vfs->xSleep(real_vfs, us); }
static int v_current_time(sqlite3_vfs *v, double *t) { (void)v; return real_vfs->xCurrentTime(real_vfs, t); }
static int v_last_error(sqlite3_vfs *v, int n, char *msg) { (void)v; return real_vfs->xGetLastError(real_vfs, n, msg); }
static int v_current_time64(sqlite3_vfs *v, sqlite3_int64 *t)
{
    (void)v;
    return real_vfs->xCurrentTimeInt64(real_vfs, t);
}

const char *db_vfs_register(void)
{
    real_vfs = sqlite3_vfs_find("unix");
    if (!real_vfs || real_vfs->iVersion < 2) return NULL; /* then SQLite's default, unchanged */
    wal_methods = (sqlite3_io_methods){
        .iVersion = 3,
        .xClose = w_close,
        .xRead = w_read,
        .xWrite = w_write,
        .xTruncate = w_truncate,
        .xSync = w_sync,
        .xFileSize = w_file_size,
        .xLock = w_lock,
        .xUnlock = w_unlock,
        .xCheckReservedLock = w_check_reserved,
        .xFileControl = w_file_control,
        .xSectorSize = w_sector_size,
        .xDeviceCharacteristics = w_device,
        .xShmMap = w_shm_map,
        .xShmLock = w_shm_lock,
        .xShmBarrier = w_shm_barrier,
        .xShmUnmap = w_shm_unmap,
        .xFetch = w_fetch,
        .xUnfetch = w_unfetch,
    };
    size_t wrapped = ALIGN8(sizeof(wal_file)) + (size_t)real_vfs->szOsFile;
    shim_vfs = (sqlite3_vfs){
        .iVersion = 2,
        .szOsFile = (int)(wrapped > (size_t)real_vfs->szOsFile ? wrapped : (size_t)real_vfs->szOsFile),
        .mxPathname = real_vfs->mxPathname,
        .zName = "hyopps-unix",
        .xOpen = shim_open,
        .xDelete = v_delete,
        .xAccess = v_access,
        .xFullPathname = v_full_pathname,
        .xDlOpen = v_dlopen,
        .xDlError = v_dlerror,
        .xDlSym = v_dlsym,
        .xDlClose = v_dlclose,
        .xRandomness = v_randomness,
        .xSleep = v_sleep,
        .xCurrentTime = v_current_time,
        .xGetLastError = v_last_error,
        .xCurrentTimeInt64 = v_current_time64,
    };
    if (sqlite3_vfs_register(&shim_vfs, 0) != SQLITE_OK) return NULL;
    return shim_vfs.zName;
}
