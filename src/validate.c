#include "validate.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sanitize.h"
#include "util.h"

bool hy_valid_email(const char *s)
{
    if (!s) return false;
    size_t n = strlen(s);
    if (n < 3 || n > 254) return false;
    const char *at = strchr(s, '@');
    if (!at || at == s || strchr(at + 1, '@')) return false;
    if (at - s > 64) return false;
    for (const char *p = s; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (c <= 0x20 || c == 0x7F || c == '<' || c == '>' || c == '(' || c == ')' ||
            c == ',' || c == ';' || c == ':' || c == '\\' || c == '"' || c == '[' || c == ']')
            return false;
    }
    const char *dom = at + 1;
    const char *dot = strrchr(dom, '.');
    if (!dot || dot == dom || dot[1] == '\0') return false;
    if (dom[0] == '.' || dom[0] == '-' || strstr(dom, "..")) return false;
    if (s[0] == '.' || at[-1] == '.') return false;
    return hy_text_is_clean(s, NULL);
}

#define MAX_DISPLAY_NAME 200

bool hy_parse_mailbox(const char *s, char **name_out, char **addr_out)
{
    if (name_out) *name_out = NULL;
    if (addr_out) *addr_out = NULL;
    if (!s || strlen(s) > 512 || !hy_text_is_clean(s, NULL)) return false;
    while (*s == ' ' || *s == '\t') s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t')) n--;
    char *addr, *name;
    if (n && s[n - 1] == '>') {
        const char *lt = NULL;
        for (const char *p = s; p < s + n; p++)
            if (*p == '<') lt = p;
        if (!lt) return false;
        addr = xstrndup(lt + 1, (size_t)(s + n - 1 - (lt + 1)));
        /* the name: trimmed, quotes removed */
        const char *b = s, *e = lt;
        while (e > b && (e[-1] == ' ' || e[-1] == '\t')) e--;
        bool quoted = e - b >= 2 && *b == '"' && e[-1] == '"';
        if (quoted) b++, e--;
        name = xmalloc((size_t)(e - b) + 1);
        size_t k = 0;
        bool ok = true;
        for (const char *p = b; p < e; p++) {
            if (quoted && *p == '\\' && p + 1 < e) p++;
            else if (*p == '"' || (!quoted && (*p == '<' || *p == '>'))) ok = false;
            name[k++] = *p;
        }
        name[k] = '\0';
        if (!ok || k > MAX_DISPLAY_NAME) {
            free(addr);
            free(name);
            return false;
        }
    } else {
        addr = xstrndup(s, n);
        name = xstrdup("");
    }
    if (!hy_valid_email(addr)) {
        free(addr);
        free(name);
        return false;
    }
    if (name_out) *name_out = name;
    else free(name);
    if (addr_out) *addr_out = addr;
    else free(addr);
    return true;
}

static const char *url_host(const char *url, size_t *hostlen)
{
    const char *p;
    if (strncasecmp(url, "https://", 8) == 0) p = url + 8;
    else if (strncasecmp(url, "http://", 7) == 0) p = url + 7;
    else return NULL;
    const char *at = NULL;
    for (const char *q = p; *q && *q != '/' && *q != '?' && *q != '#'; q++)
        if (*q == '@') at = q;
    if (at) p = at + 1;
    const char *end;
    if (*p == '[') {
        end = strchr(p, ']');
        if (!end) return NULL;
        *hostlen = (size_t)(end - p + 1);
        return p;
    }
    end = p;
    while (*end && *end != ':' && *end != '/' && *end != '?' && *end != '#') end++;
    *hostlen = (size_t)(end - p);
    return p;
}

bool hy_valid_http_url(const char *s)
{
    if (!s || strlen(s) > 2048) return false;
    for (const char *p = s; *p; p++)
        if ((unsigned char)*p <= 0x20 || *p == 0x7F || *p == '"' || *p == '<' || *p == '>')
            return false;
    size_t hl = 0;
    const char *h = url_host(s, &hl);
    return h && hl > 0 && hy_text_is_clean(s, NULL);
}

bool hy_url_is_loopback(const char *url)
{
    size_t hl = 0;
    const char *h = url ? url_host(url, &hl) : NULL;
    if (!h || hl == 0) return false;
    if (hl == 9 && strncasecmp(h, "localhost", 9) == 0) return true;
    if (hl == 5 && strncmp(h, "[::1]", 5) == 0) return true;
    if (hl >= 9 && strncmp(h, "127.", 4) == 0) {
        for (size_t i = 4; i < hl; i++)
            if (!isdigit((unsigned char)h[i]) && h[i] != '.') return false;
        return true;
    }
    return false;
}

bool hy_parse_bool(const char *s, bool *out)
{
    static const char *yes[] = {"true", "yes", "on", "1"}, *no[] = {"false", "no", "off", "0"};
    for (int i = 0; i < 4; i++) {
        if (strcasecmp(s, yes[i]) == 0) { *out = true; return true; }
        if (strcasecmp(s, no[i]) == 0) { *out = false; return true; }
    }
    return false;
}

bool hy_parse_long(const char *s, long min, long max, long *out)
{
    if (!s || !*s) return false;
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || *end != '\0' || isspace((unsigned char)s[0])) return false;
    if (v < min || v > max) return false;
    *out = v;
    return true;
}

/* ISO 639-1 codes (the 183 registered two-letter codes). */
static const char iso639_1[] =
    "aa ab ae af ak am an ar as av ay az ba be bg bh bi bm bn bo br bs ca ce ch co cr cs cu "
    "cv cy da de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi "
    "ho hr ht hu hy hz ia id ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks "
    "ku kv kw ky la lb lg li ln lo lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd ne ng nl "
    "nn no nr nv ny oc oj om or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd se sg si sk sl "
    "sm sn so sq sr ss st su sv sw ta te tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz ve "
    "vi vo wa wo xh yi yo za zh zu";

bool hy_valid_lang(const char *s)
{
    if (!s || strlen(s) != 2 || !islower((unsigned char)s[0]) || !islower((unsigned char)s[1]))
        return false;
    for (const char *p = iso639_1; p[0] && p[1]; p += p[2] ? 3 : 2)
        if (p[0] == s[0] && p[1] == s[1]) return true;
    return false;
}
