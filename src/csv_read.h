/* Reading a CSV file people export from a spreadsheet, with Debian's libcsv:
 * a header row and data rows, each row with the line of the file where it
 * starts. UTF-8 with or without a byte-order mark; comma or semicolon
 * (whichever the header line uses more, outside quotes); quoted fields with
 * embedded delimiters, doubled quotes and newlines; CRLF, LF or CR line
 * ends; blank lines ignored. Knows nothing of what the columns mean.
 *
 * Whatever the bytes, the answer is a table or one error that names the
 * line and says how to fix the file (the text of a line is never put in
 * the message: it may hold anything). */
#ifndef HY_CSV_READ_H
#define HY_CSV_READ_H

#include <stddef.h>

#include "err.h"

#define CSV_MAX_BYTES (1024 * 1024)   /* a file of more is refused */
#define CSV_MAX_COLUMNS 64            /* fields kept per row (the rest only counted) */

typedef struct {
    int line;          /* 1-based line of the file where the row starts */
    int nfields;       /* fields the row has (may exceed CSV_MAX_COLUMNS) */
    char **fields;     /* the first min(nfields, CSV_MAX_COLUMNS), NUL-terminated */
} csv_row;

typedef struct {
    char delim;        /* ',' or ';' */
    csv_row header;
    csv_row *rows;     /* data rows, in file order */
    int nrows;
} csv_table;

/* Parses len bytes. More than max_rows data rows (or CSV_MAX_BYTES bytes)
 * is an error saying so. On error *out is empty and err says what and
 * where (HY_ERR_INVALID). */
int csv_read(const char *data, size_t len, int max_rows, csv_table *out, hy_err *err);
void csv_table_free(csv_table *t);

#endif
