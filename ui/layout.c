/* Curses-free layout: see layout.h. */
#include "layout.h"

#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <wchar.h>

#include "sanitize.h"
#include "util.h"

#define REPLACEMENT 0xFFFDu

int ui_cp_width(unsigned cp, bool ascii)
{
    if (ascii || cp < 0x80) return 1;
    int w = wcwidth((wchar_t)cp);
    return w < 0 ? 1 : w;
}

/* Decodes one character for display: invalid bytes and unprintable code
 * points become '?' (ASCII) or U+FFFD; returns the bytes consumed (>= 1). */
static int next_char(const char *s, size_t avail, bool ascii, unsigned *cp, int *width)
{
    int len = hy_utf8_decode((const unsigned char *)s, avail, cp);
    if (len == 0) {
        len = 1;
        *cp = ascii ? '?' : REPLACEMENT;
    } else if (ascii && *cp >= 0x80) {
        *cp = '?';
    } else if (*cp >= 0x80 && wcwidth((wchar_t)*cp) < 0) {
        *cp = REPLACEMENT;
    } else if (*cp < 0x20 || *cp == 0x7F) {
        *cp = ascii ? '?' : REPLACEMENT; /* only reachable with UI_FIT_RAW */
    }
    *width = ui_cp_width(*cp, ascii);
    return len;
}

int ui_text_width(const char *s, bool ascii)
{
    if (!s) return 0;
    size_t n = strlen(s);
    int w = 0;
    while (n > 0) {
        unsigned cp;
        int cw;
        int len = next_char(s, n, ascii, &cp, &cw);
        w += cw;
        s += len;
        n -= (size_t)len;
    }
    return w;
}

static void put_cp(hy_buf *b, unsigned cp)
{
    char tmp[4];
    int n;
    if (cp < 0x80) { tmp[0] = (char)cp; n = 1; }
    else if (cp < 0x800) { tmp[0] = (char)(0xC0 | (cp >> 6)); tmp[1] = (char)(0x80 | (cp & 0x3F)); n = 2; }
    else if (cp < 0x10000) {
        tmp[0] = (char)(0xE0 | (cp >> 12));
        tmp[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        tmp[2] = (char)(0x80 | (cp & 0x3F));
        n = 3;
    } else {
        tmp[0] = (char)(0xF0 | (cp >> 18));
        tmp[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        tmp[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
        tmp[3] = (char)(0x80 | (cp & 0x3F));
        n = 4;
    }
    hy_buf_putn(b, tmp, (size_t)n);
}

static void put_spaces(hy_buf *b, int n)
{
    for (int i = 0; i < n; i++) hy_buf_putc(b, ' ');
}

/* Printable ASCII only (what most cells hold): sanitizing and decoding
 * would change nothing, so the fit is a copy; the whole list is drawn at
 * every key, and this is most of its cells. */
static bool printable_ascii(const char *s, size_t *len)
{
    const unsigned char *p = (const unsigned char *)s;
    for (; *p; p++)
        if (*p < 0x20 || *p > 0x7E) return false;
    *len = (size_t)(p - (const unsigned char *)s);
    return true;
}

/* Appends n bytes at *o, as many as fit before the terminating NUL. */
static void put_bounded(char *out, size_t outsz, size_t *o, const char *src, size_t n)
{
    if (*o + n >= outsz) n = outsz - 1 - *o;
    memcpy(out + *o, src, n);
    *o += n;
}

static int fit_ascii(const char *s, size_t len, int width, unsigned flags, char *out, size_t outsz)
{
    static const char spaces[] = "                                                                ";
    const char *ellipsis = (flags & UI_FIT_ASCII) ? "~" : "\xe2\x80\xa6";
    bool cut = len > (size_t)width;
    size_t keep = cut ? (size_t)width - 1 : len;
    int cells = (int)keep + cut;
    int pad = (flags & (UI_FIT_PAD | UI_FIT_RIGHT)) && cells < width ? width - cells : 0;
    size_t o = 0;
    for (int left = (flags & UI_FIT_RIGHT) ? pad : 0; left > 0; left -= (int)sizeof spaces - 1)
        put_bounded(out, outsz, &o, spaces, (size_t)ui_min(left, (int)sizeof spaces - 1));
    put_bounded(out, outsz, &o, s, keep);
    if (cut && o + strlen(ellipsis) < outsz) put_bounded(out, outsz, &o, ellipsis, strlen(ellipsis)); /* whole or not */
    for (int left = (flags & UI_FIT_RIGHT) ? 0 : pad; left > 0; left -= (int)sizeof spaces - 1)
        put_bounded(out, outsz, &o, spaces, (size_t)ui_min(left, (int)sizeof spaces - 1));
    out[o] = '\0';
    return cells + pad;
}

int ui_fit(const char *text, int width, unsigned flags, char *out, size_t outsz)
{
    bool ascii = flags & UI_FIT_ASCII;
    if (outsz == 0) return 0;
    out[0] = '\0';
    if (width <= 0) return 0;
    size_t len;
    if (printable_ascii(text ? text : "", &len)) return fit_ascii(text ? text : "", len, width, flags, out, outsz);
    char *clean = (flags & UI_FIT_RAW) ? NULL : hy_sanitize(text);
    const char *s = clean ? clean : (text ? text : "");
    size_t n = strlen(s);
    int total = ui_text_width(s, ascii);
    int budget = total <= width ? width : width - 1; /* room for the ellipsis */

    hy_buf b = {0};
    hy_buf_put(&b, "");
    int cells = 0;
    while (n > 0) {
        unsigned cp;
        int cw;
        int len = next_char(s, n, ascii, &cp, &cw);
        if (cells + cw > budget) break;
        if (cw == 0 && cells == 0) { /* a combining mark with nothing to combine with */
            s += len;
            n -= (size_t)len;
            continue;
        }
        put_cp(&b, cp);
        cells += cw;
        s += len;
        n -= (size_t)len;
    }
    if (total > width) {
        put_spaces(&b, budget - cells); /* a wide character did not fit */
        cells = budget;
        if (ascii) hy_buf_putc(&b, '~');
        else hy_buf_put(&b, "\xe2\x80\xa6"); /* … */
        cells++;
    }
    free(clean);

    if ((flags & (UI_FIT_PAD | UI_FIT_RIGHT)) && cells < width) {
        if (flags & UI_FIT_RIGHT) {
            hy_buf r = {0};
            put_spaces(&r, width - cells);
            hy_buf_put(&r, b.s);
            hy_buf_free(&b);
            b = r;
        } else {
            put_spaces(&b, width - cells);
        }
        cells = width;
    }
    hy_strlcpy(out, b.s, outsz);
    hy_buf_free(&b);
    return cells;
}

int ui_wrap(const char *text, int width, bool ascii, int maxlines, int *start, int *len)
{
    const char *base = text ? text : "";
    const char *p = base;
    int n = 0;
    if (maxlines <= 0) return 0;
    if (width < 1) width = 1;
    for (;;) {
        while (*p == ' ') p++; /* no leading spaces on a line */
        const char *q = p, *last_space = NULL;
        int w = 0;
        bool last_line = n == maxlines - 1; /* takes the rest: ui_fit shows the ellipsis */
        while (*q && *q != '\n') {
            unsigned cp;
            int cw;
            int l = next_char(q, strlen(q), ascii, &cp, &cw);
            if (!last_line && w + cw > width) break;
            if (cp == ' ') last_space = q;
            w += cw;
            q += l;
        }
        const char *end, *next;
        if (!*q || *q == '\n' || *q == ' ') { /* the end, or a break right where the line is full */
            end = q;
            next = *q ? q + 1 : q;
        } else if (last_space && last_space > p) {
            end = last_space;
            next = last_space + 1;
        } else {
            if (q == p) { /* not even one character fits: take it anyway */
                unsigned cp;
                int cw;
                q += next_char(q, strlen(q), ascii, &cp, &cw);
            }
            end = next = q;
        }
        while (end > p && end[-1] == ' ') end--;
        start[n] = (int)(p - base);
        len[n] = (int)(end - p);
        n++;
        p = next;
        while (*p == ' ') p++;
        if (!*p || n == maxlines) break;
    }
    return n;
}

/* ---- lists ---- */

int ui_fit_columns(const ui_colspec *cols, int n, int width, int gap, int *widths)
{
    bool *vis = xcalloc((size_t)(n > 0 ? n : 1), sizeof *vis);
    int nvis = n;
    for (int i = 0; i < n; i++) vis[i] = true;
    for (;;) {
        int sum = 0;
        for (int i = 0; i < n; i++)
            if (vis[i]) sum += cols[i].min;
        if (nvis > 1) sum += gap * (nvis - 1);
        if (sum <= width || nvis == 0) break;
        int drop = -1;
        for (int i = 0; i < n; i++)
            if (vis[i] && (drop < 0 || cols[i].priority <= cols[drop].priority)) drop = i;
        vis[drop] = false;
        nvis--;
    }
    int used = nvis > 1 ? gap * (nvis - 1) : 0;
    int nflex = 0;
    for (int i = 0; i < n; i++) {
        widths[i] = vis[i] ? cols[i].min : 0;
        used += widths[i];
        if (vis[i] && cols[i].max == 0) nflex++;
    }
    int left = width - used;
    /* Fixed columns grow towards their max, the most important first. */
    while (left > 0) {
        int best = -1;
        for (int i = 0; i < n; i++)
            if (vis[i] && cols[i].max > widths[i] && (best < 0 || cols[i].priority > cols[best].priority))
                best = i;
        if (best < 0) break;
        int grow = ui_min(cols[best].max - widths[best], left);
        widths[best] += grow;
        left -= grow;
    }
    /* Flexible columns share the rest; the remainder goes to the leftmost. */
    if (nflex > 0 && left > 0) {
        int each = left / nflex, extra = left % nflex;
        for (int i = 0; i < n; i++) {
            if (!vis[i] || cols[i].max != 0) continue;
            widths[i] += each + (extra > 0 ? 1 : 0);
            if (extra > 0) extra--;
        }
    }
    free(vis);
    return nvis;
}

int ui_scroll_top(int count, int height, int sel, int top)
{
    if (height <= 0 || count <= 0) return 0;
    if (sel < top) top = sel;
    else if (sel >= top + height) top = sel - height + 1;
    return ui_clamp(top, 0, ui_max(0, count - height));
}

void ui_page(int count, int height, int dir, int *sel, int *top)
{
    if (count <= 0) {
        *sel = *top = 0;
        return;
    }
    int step = ui_max(1, height);
    *top = ui_clamp(*top + dir * step, 0, ui_max(0, count - height));
    *sel = ui_clamp(*sel + dir * step, 0, count - 1);
    *top = ui_scroll_top(count, height, *sel, *top);
}

/* ---- hints ---- */

int ui_hint_width(const ui_hint *h, bool ascii)
{
    int w = ui_text_width(h->key, ascii);
    if (h->label && *h->label) w += 1 + ui_text_width(h->label, ascii);
    return w;
}

int ui_fit_hints(const ui_hint *h, int n, int width, bool ascii, bool *shown)
{
    int count = 0;
    for (int i = 0; i < n; i++) shown[i] = false;
    if (n == 0) return 0;
    int last_w = ui_hint_width(&h[n - 1], ascii);
    bool keep_last = last_w <= width;
    int room = keep_last ? width - last_w : width;
    int used = 0;
    int upto = keep_last ? n - 1 : n;
    for (int i = 0; i < upto; i++) {
        int need = ui_hint_width(&h[i], ascii) + 2; /* the gap after it */
        if (!keep_last && i == upto - 1) need -= 2;
        if (used + need > room) break;
        used += need;
        shown[i] = true;
        count++;
    }
    if (keep_last) {
        shown[n - 1] = true;
        count++;
    }
    return count;
}

/* ---- forms ---- */

int ui_form_layout(const ui_form_item *items, int n, int width, bool ascii, ui_form_place *out)
{
    int lw = 0;
    for (int i = 0; i < n; i++) lw = ui_max(lw, items[i].label_w);
    lw = ui_min(lw, ui_min(UI_FORM_LABEL_MAX, width * 2 / 5));
    int value_x = lw + 2;
    int avail = ui_max(1, width - value_x);
    int y = 0;
    for (int i = 0; i < n; i++) {
        const ui_form_item *it = &items[i];
        ui_form_place *p = &out[i];
        memset(p, 0, sizeof *p);
        p->y = y;
        p->label_x = 0;
        p->value_x = value_x;
        int w = it->value_pref > 0 ? ui_min(it->value_pref, avail) : avail;
        p->value_w = ui_max(w, ui_min(UI_FORM_VALUE_MIN, avail));
        p->lines = ui_max(1, it->lines);
        if (it->wrap_text) {
            int st[64], ln[64];
            p->value_w = avail;
            p->lines = ui_wrap(it->wrap_text, avail, ascii, 64, st, ln);
        }
        p->height = p->lines;
        if (it->error_w > 0) {
            int beside_x = value_x + p->value_w + 2;
            if (beside_x + it->error_w <= width) {
                p->error_y = y;
                p->error_x = beside_x;
                p->error_w = it->error_w;
            } else {
                p->error_below = true;
                p->error_y = y + p->lines;
                p->error_x = value_x;
                p->error_w = ui_min(it->error_w, avail);
                p->height++;
            }
        }
        y += p->height;
    }
    return y;
}

const char *ui_noun(const char *plural, long long n, char *buf, size_t bufsz)
{
    size_t len = strlen(plural);
    if (n != 1 || len < 2 || bufsz < len + 1) return plural;
    if (len > 3 && strcmp(plural + len - 3, "ies") == 0) snprintf(buf, bufsz, "%.*sy", (int)(len - 3), plural);
    else if (plural[len - 1] == 's') snprintf(buf, bufsz, "%.*s", (int)(len - 1), plural);
    else return plural;
    return buf;
}
