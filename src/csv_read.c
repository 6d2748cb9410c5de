/* CSV files with libcsv (csv_read.h). The bytes are checked first (size,
 * encoding, NUL bytes), then fed to libcsv a physical line at a time so
 * that each row knows the line where it starts. */
#include "csv_read.h"

#include <csv.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "sanitize.h"
#include "util.h"

#define SAVE_AS "save it from the spreadsheet as \"CSV UTF-8\""

typedef struct {
    csv_table *t;
    int max_rows;
    int line;              /* the physical line being fed */
    int row_line;          /* where the row being read started */
    bool need_start;       /* the next non-blank line starts a row */
    bool have_header;
    int extra_rows;        /* data rows past max_rows (counted, not kept) */
    csv_row cur;
    int cap;               /* of t->rows */
} reader;

static void row_free(csv_row *r)
{
    int n = r->nfields < CSV_MAX_COLUMNS ? r->nfields : CSV_MAX_COLUMNS;
    for (int i = 0; i < n; i++) free(r->fields[i]);
    free(r->fields);
    memset(r, 0, sizeof *r);
}

void csv_table_free(csv_table *t)
{
    if (!t) return;
    row_free(&t->header);
    for (int i = 0; i < t->nrows; i++) row_free(&t->rows[i]);
    free(t->rows);
    memset(t, 0, sizeof *t);
}

static void on_field(void *s, size_t len, void *data)
{
    reader *r = data;
    if (r->cur.nfields < CSV_MAX_COLUMNS) {
        if (!r->cur.fields) r->cur.fields = xcalloc(CSV_MAX_COLUMNS, sizeof *r->cur.fields);
        r->cur.fields[r->cur.nfields] = xstrndup(s ? s : "", s ? len : 0);
    }
    if (r->cur.nfields < 0x7fffffff) r->cur.nfields++;
}

static bool row_blank(const csv_row *row)
{
    int n = row->nfields < CSV_MAX_COLUMNS ? row->nfields : CSV_MAX_COLUMNS;
    for (int i = 0; i < n; i++)
        if (!hy_empty(row->fields[i])) return false;
    return row->nfields <= CSV_MAX_COLUMNS;
}

static void on_row(int c, void *data)
{
    (void)c;
    reader *r = data;
    csv_row row = r->cur;
    memset(&r->cur, 0, sizeof r->cur);
    r->need_start = true;
    row.line = r->row_line;
    if (row_blank(&row)) { /* ",,," lines spreadsheets leave at the end */
        row_free(&row);
        return;
    }
    if (!r->have_header) {
        r->t->header = row;
        r->have_header = true;
        return;
    }
    if (r->t->nrows >= r->max_rows) {
        r->extra_rows++;
        row_free(&row);
        return;
    }
    if (r->t->nrows == r->cap) r->t->rows = xrealloc(r->t->rows, (size_t)(r->cap = r->cap ? r->cap * 2 : 64) * sizeof *r->t->rows);
    r->t->rows[r->t->nrows++] = row;
}

/* Size, encoding and NUL bytes, before anything is parsed. */
static int check_bytes(const unsigned char *s, size_t len, hy_err *err)
{
    if (len >= 2 && ((s[0] == 0xff && s[1] == 0xfe) || (s[0] == 0xfe && s[1] == 0xff)))
        return hy_fail(err, HY_ERR_INVALID, "the file is UTF-16 text: %s and import that", SAVE_AS);
    int line = 1;
    for (size_t i = 0; i < len;) {
        if (s[i] == '\n' || (s[i] == '\r' && (i + 1 == len || s[i + 1] != '\n'))) line++;
        if (s[i] == 0)
            return hy_fail(err, HY_ERR_INVALID, "line %d contains a NUL byte: this is not a CSV text file (%s)", line,
                           SAVE_AS);
        if (s[i] < 0x80) {
            i++;
            continue;
        }
        unsigned cp;
        int n = hy_utf8_decode(s + i, len - i, &cp);
        if (n <= 0)
            return hy_fail(err, HY_ERR_INVALID, "line %d is not valid UTF-8 text: %s (other encodings are not read)",
                           line, SAVE_AS);
        i += (size_t)n;
    }
    return 0;
}

/* ',' or ';': whichever the first non-blank line has more of outside quotes. */
static char detect_delim(const char *s, size_t len)
{
    size_t i = 0;
    while (i < len && (s[i] == '\n' || s[i] == '\r' || s[i] == ' ' || s[i] == '\t')) i++;
    int commas = 0, semis = 0;
    bool quoted = false;
    for (; i < len; i++) {
        if (s[i] == '"') quoted = !quoted;
        else if (!quoted && (s[i] == '\n' || s[i] == '\r')) break;
        else if (!quoted && s[i] == ',') commas++;
        else if (!quoted && s[i] == ';') semis++;
    }
    return semis > commas ? ';' : ',';
}

static bool blank_chunk(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n') return false;
    return true;
}

static int parse_error(reader *r, bool at_end, hy_err *err)
{
    if (at_end)
        return hy_fail(err, HY_ERR_INVALID,
                       "line %d: a quoted field starts there and is never closed (a \" is missing); quote whole "
                       "fields and double the quotes inside them: \"Say \"\"hi\"\"\"",
                       r->row_line);
    return hy_fail(err, HY_ERR_INVALID,
                   "line %d: a quote (\") in the middle of a field; put the whole field in quotes and double the "
                   "quotes inside it: \"Say \"\"hi\"\"\"",
                   r->line);
}

int csv_read(const char *data, size_t len, int max_rows, csv_table *out, hy_err *err)
{
    memset(out, 0, sizeof *out);
    if (len > CSV_MAX_BYTES)
        return hy_fail(err, HY_ERR_INVALID,
                       "the file has %zu bytes; at most 1 MiB (%d bytes) is imported at once: split it into smaller "
                       "files",
                       len, CSV_MAX_BYTES);
    const unsigned char *u = (const unsigned char *)data;
    if (check_bytes(u, len, err)) return err->code;
    if (len >= 3 && u[0] == 0xef && u[1] == 0xbb && u[2] == 0xbf) { /* the UTF-8 byte-order mark */
        data += 3;
        len -= 3;
    }
    if (blank_chunk(data, len))
        return hy_fail(err, HY_ERR_INVALID, "the file is empty: its first line must name the columns");
    out->delim = detect_delim(data, len);
    struct csv_parser p;
    if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL) != 0) hy_fatal("out of memory (csv_init)");
    csv_set_delim(&p, (unsigned char)out->delim);
    reader r = {.t = out, .max_rows = max_rows > 0 ? max_rows : 1, .line = 1, .row_line = 1, .need_start = true};
    int rc = 0;
    for (size_t at = 0; at < len && rc == 0;) {
        /* one physical line, with its end (LF, CRLF or a lone CR) */
        size_t end = at;
        while (end < len && data[end] != '\n' && data[end] != '\r') end++;
        if (end < len && data[end] == '\r' && end + 1 < len && data[end + 1] == '\n') end++;
        if (end < len) end++;
        size_t n = end - at;
        if (r.need_start && !blank_chunk(data + at, n)) {
            r.row_line = r.line;
            r.need_start = false;
        }
        if (csv_parse(&p, data + at, n, on_field, on_row, &r) != n) {
            if (csv_error(&p) == CSV_ENOMEM || csv_error(&p) == CSV_ETOOBIG) hy_fatal("out of memory (csv_parse)");
            rc = parse_error(&r, false, err);
        }
        at = end;
        r.line++;
    }
    if (rc == 0 && csv_fini(&p, on_field, on_row, &r) != 0) rc = parse_error(&r, true, err);
    csv_free(&p);
    row_free(&r.cur);
    if (rc == 0 && !r.have_header)
        rc = hy_fail(err, HY_ERR_INVALID, "the file is empty: its first line must name the columns");
    else if (rc == 0 && out->header.nfields > CSV_MAX_COLUMNS)
        rc = hy_fail(err, HY_ERR_INVALID, "the header (line %d) has %d columns; at most %d are read",
                     out->header.line, out->header.nfields, CSV_MAX_COLUMNS);
    else if (rc == 0 && out->nrows == 0)
        rc = hy_fail(err, HY_ERR_INVALID, "the file has a header (line %d) but no rows below it", out->header.line);
    else if (rc == 0 && r.extra_rows)
        rc = hy_fail(err, HY_ERR_INVALID,
                     "the file has %d rows; at most %d are imported at once ([bulk] max_rows): split it into smaller "
                     "files",
                     out->nrows + r.extra_rows, r.max_rows);
    if (rc) csv_table_free(out);
    return rc;
}
