#include "sanitize.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

bool hy_is_format_control(unsigned cp)
{
    return cp == 0x061C || (cp >= 0x200B && cp <= 0x200F) || (cp >= 0x2028 && cp <= 0x202E) ||
           (cp >= 0x2060 && cp <= 0x206F) || cp == 0xFEFF || (cp >= 0xFFF9 && cp <= 0xFFFB);
}

int hy_utf8_decode(const unsigned char *s, size_t avail, unsigned *cp)
{
    if (avail == 0) return 0;
    unsigned c = s[0];
    int len;
    unsigned min;
    if (c < 0x80) { *cp = c; return 1; }
    if ((c & 0xE0) == 0xC0) { len = 2; c &= 0x1F; min = 0x80; }
    else if ((c & 0xF0) == 0xE0) { len = 3; c &= 0x0F; min = 0x800; }
    else if ((c & 0xF8) == 0xF0) { len = 4; c &= 0x07; min = 0x10000; }
    else return 0;
    if ((size_t)len > avail) return 0;
    for (int i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80) return 0;
        c = (c << 6) | (s[i] & 0x3F);
    }
    if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) return 0;
    *cp = c;
    return len;
}

static void sanitize_into(const char *in, hy_buf *b)
{
    const unsigned char *p = (const unsigned char *)(in ? in : "");
    size_t n = strlen((const char *)p);
    char tmp[16];
    while (n > 0) {
        unsigned cp;
        int len = hy_utf8_decode(p, n, &cp);
        if (len == 0) {
            snprintf(tmp, sizeof tmp, "\\x%02x", *p);
            hy_buf_put(b, tmp);
            p++, n--;
            continue;
        }
        if (cp < 0x20 || cp == 0x7F) {
            snprintf(tmp, sizeof tmp, "\\x%02x", cp);
            hy_buf_put(b, tmp);
        } else if ((cp >= 0x80 && cp <= 0x9F) || hy_is_format_control(cp)) {
            snprintf(tmp, sizeof tmp, "\\u%04x", cp);
            hy_buf_put(b, tmp);
        } else {
            hy_buf_putn(b, (const char *)p, (size_t)len);
        }
        p += len;
        n -= (size_t)len;
    }
}

char *hy_sanitize(const char *in)
{
    hy_buf b = {0};
    sanitize_into(in, &b);
    return hy_buf_take(&b);
}

char *hy_sanitize_to(const char *in, char *out, size_t outsz)
{
    char *s = hy_sanitize(in);
    hy_strlcpy(out, s, outsz);
    free(s);
    return out;
}

char *hy_json_safe(const char *json)
{
    hy_buf b = {0};
    const unsigned char *p = (const unsigned char *)(json ? json : "");
    size_t n = strlen((const char *)p);
    char tmp[16];
    while (n > 0) {
        unsigned cp;
        int len = hy_utf8_decode(p, n, &cp);
        if (len == 0) { /* cJSON passes invalid UTF-8 through: replace it */
            hy_buf_put(&b, "\\ufffd");
            p++, n--;
            continue;
        }
        if ((cp >= 0x7F && cp <= 0x9F) || hy_is_format_control(cp)) {
            snprintf(tmp, sizeof tmp, "\\u%04x", cp);
            hy_buf_put(&b, tmp);
        } else {
            hy_buf_putn(&b, (const char *)p, (size_t)len);
        }
        p += len;
        n -= (size_t)len;
    }
    return hy_buf_take(&b);
}

bool hy_text_is_clean(const char *s, const char *allow)
{
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    size_t n = strlen((const char *)p);
    while (n > 0) {
        unsigned cp;
        int len = hy_utf8_decode(p, n, &cp);
        if (len == 0) return false;
        bool ctl = cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F) || hy_is_format_control(cp);
        if (ctl && !(cp < 0x80 && allow && strchr(allow, (int)cp))) return false;
        p += len;
        n -= (size_t)len;
    }
    return true;
}
