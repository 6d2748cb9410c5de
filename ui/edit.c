/* One-line UTF-8 editor: see edit.h. */
#include "edit.h"

#include <stdlib.h>
#include <string.h>

#include "layout.h"
#include "sanitize.h"
#include "util.h"

#define DEFAULT_MAX 1024

static size_t max_len(const ui_edit *e) { return e->max ? e->max : DEFAULT_MAX; }

/* Grows the buffer; secret text never stays behind in freed memory. */
static void reserve(ui_edit *e, size_t need)
{
    if (e->s && need + 1 <= e->cap) return;
    size_t cap = e->cap ? e->cap : 32;
    while (cap < need + 1) cap *= 2;
    char *n = xcalloc(cap, 1);
    if (e->s) {
        memcpy(n, e->s, e->len + 1);
        explicit_bzero(e->s, e->cap);
        free(e->s);
    }
    e->s = n;
    e->cap = cap;
}

void ui_edit_set(ui_edit *e, const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (e->s) explicit_bzero(e->s, e->cap);
    reserve(e, n);
    if (n) memcpy(e->s, s, n);
    e->s[n] = '\0';
    e->len = e->cur = n;
    e->first = 0;
}

const char *ui_edit_text(const ui_edit *e) { return e->s ? e->s : ""; }

static int encode(unsigned cp, char out[4])
{
    if (cp < 0x80) { out[0] = (char)cp; return 1; }
    if (cp < 0x800) { out[0] = (char)(0xC0 | (cp >> 6)); out[1] = (char)(0x80 | (cp & 0x3F)); return 2; }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

bool ui_edit_insert(ui_edit *e, unsigned cp)
{
    if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F) || hy_is_format_control(cp) ||
        (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
        return false;
    char enc[4];
    int n = encode(cp, enc);
    if (e->len + (size_t)n > max_len(e)) return false;
    reserve(e, e->len + (size_t)n);
    memmove(e->s + e->cur + n, e->s + e->cur, e->len - e->cur + 1);
    memcpy(e->s + e->cur, enc, (size_t)n);
    e->len += (size_t)n;
    e->cur += (size_t)n;
    return true;
}

/* Byte offset of the character before / after pos. */
static size_t prev_char(const ui_edit *e, size_t pos)
{
    if (pos == 0) return 0;
    pos--;
    while (pos > 0 && ((unsigned char)e->s[pos] & 0xC0) == 0x80) pos--;
    return pos;
}

static size_t next_char(const ui_edit *e, size_t pos)
{
    if (pos >= e->len) return e->len;
    pos++;
    while (pos < e->len && ((unsigned char)e->s[pos] & 0xC0) == 0x80) pos++;
    return pos;
}

/* Removes bytes [a, b). */
static void cut(ui_edit *e, size_t a, size_t b)
{
    if (b <= a) return;
    memmove(e->s + a, e->s + b, e->len - b + 1);
    e->len -= b - a;
    memset(e->s + e->len + 1, 0, b - a); /* no stale copy of secret text */
    if (e->cur > b) e->cur -= b - a;
    else if (e->cur > a) e->cur = a;
    if (e->first > e->len) e->first = 0;
}

bool ui_edit_backspace(ui_edit *e)
{
    if (!e->s || e->cur == 0) return false;
    cut(e, prev_char(e, e->cur), e->cur);
    return true;
}

bool ui_edit_delete(ui_edit *e)
{
    if (!e->s || e->cur >= e->len) return false;
    cut(e, e->cur, next_char(e, e->cur));
    return true;
}

bool ui_edit_left(ui_edit *e)
{
    if (!e->s || e->cur == 0) return false;
    e->cur = prev_char(e, e->cur);
    return true;
}

bool ui_edit_right(ui_edit *e)
{
    if (!e->s || e->cur >= e->len) return false;
    e->cur = next_char(e, e->cur);
    return true;
}

void ui_edit_home(ui_edit *e) { e->cur = 0; }
void ui_edit_end(ui_edit *e) { e->cur = e->len; }

bool ui_edit_kill_before(ui_edit *e)
{
    if (!e->s || e->cur == 0) return false;
    cut(e, 0, e->cur);
    return true;
}

bool ui_edit_kill_after(ui_edit *e)
{
    if (!e->s || e->cur >= e->len) return false;
    cut(e, e->cur, e->len);
    return true;
}

bool ui_edit_delete_word(ui_edit *e)
{
    if (!e->s || e->cur == 0) return false;
    size_t a = e->cur;
    while (a > 0 && e->s[a - 1] == ' ') a--;
    while (a > 0 && e->s[a - 1] != ' ') a = prev_char(e, a);
    cut(e, a, e->cur);
    return true;
}

size_t ui_edit_chars(const ui_edit *e)
{
    size_t n = 0;
    for (size_t i = 0; i < e->len; i++)
        if (((unsigned char)e->s[i] & 0xC0) != 0x80) n++;
    return n;
}

/* Cells of bytes [a, b). */
static int cells(const ui_edit *e, size_t a, size_t b, bool masked, bool ascii)
{
    int w = 0;
    while (a < b) {
        unsigned cp = '?';
        int l = hy_utf8_decode((const unsigned char *)e->s + a, b - a, &cp);
        if (l <= 0) l = 1;
        w += masked ? 1 : ui_cp_width(cp, ascii);
        a += (size_t)l;
    }
    return w;
}

int ui_edit_view(ui_edit *e, int width, bool masked, bool ascii)
{
    if (!e->s) ui_edit_set(e, "");
    if (width < 2) {
        e->first = e->cur;
        return 0;
    }
    int room = width - 1; /* the cursor cell after the last character */
    if (e->first > e->cur) e->first = e->cur;
    if (cells(e, 0, e->cur, masked, ascii) <= room) e->first = 0;
    while (cells(e, e->first, e->cur, masked, ascii) > room) e->first = next_char(e, e->first);
    return cells(e, e->first, e->cur, masked, ascii);
}

void ui_edit_free(ui_edit *e)
{
    if (e->s) {
        explicit_bzero(e->s, e->cap);
        free(e->s);
    }
    e->s = NULL;
    e->len = e->cap = e->cur = e->first = 0;
}
