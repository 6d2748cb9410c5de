/* Key names in action tables, matching keys against them, and how they are
 * displayed. */
#include <stdio.h>
#include <string.h>

#include "fw.h"
#include "sanitize.h"

static bool word_is(const char *w, size_t n, const char *name) { return strlen(name) == n && memcmp(w, name, n) == 0; }

static bool name_matches(const char *w, size_t n, ui_key k)
{
    unsigned cp;
    int l = hy_utf8_decode((const unsigned char *)w, n, &cp);
    if (l > 0 && (size_t)l == n) return !k.fn && (unsigned)k.code == cp; /* one character */
    if (word_is(w, n, "Enter")) return k.fn ? k.code == KEY_ENTER : (k.code == '\r' || k.code == '\n');
    if (word_is(w, n, "Esc")) return !k.fn && k.code == 27;
    if (word_is(w, n, "Tab")) return !k.fn && k.code == '\t';
    if (word_is(w, n, "BTab")) return k.fn && k.code == KEY_BTAB;
    if (word_is(w, n, "Space")) return !k.fn && k.code == ' ';
    if (word_is(w, n, "Bksp")) return k.fn ? k.code == KEY_BACKSPACE : (k.code == 127 || k.code == 8);
    if (!k.fn) {
        if (n == 3 && w[0] == 'C' && w[1] == '-' && w[2] >= 'a' && w[2] <= 'z') return k.code == w[2] - 'a' + 1;
        return false;
    }
    static const struct { const char *name; int code; } FN[] = {
        {"Del", KEY_DC},    {"Up", KEY_UP},       {"Down", KEY_DOWN}, {"Left", KEY_LEFT}, {"Right", KEY_RIGHT},
        {"PgUp", KEY_PPAGE}, {"PgDn", KEY_NPAGE}, {"Home", KEY_HOME}, {"End", KEY_END},
    };
    for (size_t i = 0; i < sizeof FN / sizeof FN[0]; i++)
        if (word_is(w, n, FN[i].name)) return k.code == FN[i].code;
    if (n >= 2 && n <= 3 && w[0] == 'F' && w[1] >= '1' && w[1] <= '9') {
        int f = w[1] - '0';
        if (n == 3) f = f * 10 + (w[2] - '0');
        return k.code == KEY_F(f);
    }
    return false;
}

bool ui_key_is(ui_key k, const char *names)
{
    const char *p = names;
    while (p && *p) {
        while (*p == ' ') p++;
        const char *e = p;
        while (*e && *e != ' ') e++;
        if (e > p && name_matches(p, (size_t)(e - p), k)) return true;
        p = e;
    }
    return false;
}

bool ui_key_char(ui_key k, unsigned *cp)
{
    if (k.fn || k.code < 0x20 || k.code == 0x7F || (k.code >= 0x80 && k.code <= 0x9F)) return false;
    *cp = (unsigned)k.code;
    return true;
}

void ui_key_display(const char *name, size_t len, char *out, size_t outsz)
{
    if (len == 3 && name[0] == 'C' && name[1] == '-' && name[2] >= 'a' && name[2] <= 'z')
        snprintf(out, outsz, "^%c", name[2] - 'a' + 'A');
    else if (word_is(name, len, "BTab"))
        snprintf(out, outsz, "S-Tab");
    else
        snprintf(out, outsz, "%.*s", (int)len, name);
}

const ui_action *ui_action_find(const ui_action *table, ui_key k)
{
    for (const ui_action *a = table; a && a->keys; a++)
        if (ui_key_is(k, a->keys)) return a;
    return NULL;
}

bool ui_key_from_name(const char *w, size_t n, ui_key *k)
{
    unsigned cp;
    int l = hy_utf8_decode((const unsigned char *)w, n, &cp);
    if (l > 0 && (size_t)l == n) { *k = (ui_key){false, (int)cp}; return true; }
    static const struct { const char *name; bool fn; int code; } NAMED[] = {
        {"Enter", false, '\r'}, {"Esc", false, 27},     {"Tab", false, '\t'},       {"BTab", true, KEY_BTAB},
        {"Space", false, ' '},  {"Bksp", false, 127},   {"Del", true, KEY_DC},      {"Up", true, KEY_UP},
        {"Down", true, KEY_DOWN}, {"Left", true, KEY_LEFT}, {"Right", true, KEY_RIGHT}, {"PgUp", true, KEY_PPAGE},
        {"PgDn", true, KEY_NPAGE}, {"Home", true, KEY_HOME}, {"End", true, KEY_END},
    };
    for (size_t i = 0; i < sizeof NAMED / sizeof NAMED[0]; i++)
        if (word_is(w, n, NAMED[i].name)) { *k = (ui_key){NAMED[i].fn, NAMED[i].code}; return true; }
    if (n == 3 && w[0] == 'C' && w[1] == '-' && w[2] >= 'a' && w[2] <= 'z') { *k = (ui_key){false, w[2] - 'a' + 1}; return true; }
    if (n >= 2 && n <= 3 && w[0] == 'F' && w[1] >= '1' && w[1] <= '9') {
        int f = w[1] - '0';
        if (n == 3) f = f * 10 + (w[2] - '0');
        *k = (ui_key){true, KEY_F(f)};
        return true;
    }
    return false;
}
