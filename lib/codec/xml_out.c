/* xml_out.c: XML documents (the Xtracta responses) written by libxml2's xmlTextWriter into an
 * xmlBuffer owned by the writer object. Never writes markup or escapes text itself: that is
 * libxml2's job. libxml2's writer copies element names and text through unchecked, so names
 * must be XML NCNames and text XML 1.0 character data; anything else fails the writer rather
 * than producing a document that is not well-formed. A failed or finished writer stays so. */
#include "codec/xml_out.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlwriter.h>

#include "base/buf.h"
#include "base/utf8.h"

struct xml_out {
    xmlBufferPtr buf;
    xmlTextWriterPtr w;
    int spent;      /* a libxml2 call failed, input was refused, or the document was finished */
};

struct xml_out *xml_out_new(void)
{
    /* xmlInitParser() builds libxml2's process-wide tables (the encoding handlers the XML
     * declaration looks up, among others) that would otherwise be set up lazily inside a
     * writer call; after the first call it only tests a flag. Those tables are process state,
     * like the DB connection, not request state: nothing of one document is kept in them,
     * since the writer, its buffer and its error state belong to this object alone. Library
     * code never calls xmlCleanupParser(): another libxml2 user in the process may need it. */
    xmlInitParser();
    struct xml_out *x = calloc(1, sizeof *x);
    if (x == NULL)
        return NULL;
    x->buf = xmlBufferCreate();
    if (x->buf == NULL)
        goto fail;
    x->w = xmlNewTextWriterMemory(x->buf, 0);
    if (x->w == NULL)
        goto fail;
    /* writes <?xml version="1.0" encoding="UTF-8"?> and a newline; no indentation after it */
    if (xmlTextWriterStartDocument(x->w, NULL, "UTF-8", NULL) < 0)
        goto fail;
    return x;
fail:
    xml_out_free(x);
    return NULL;
}

void xml_out_free(struct xml_out *x)
{
    if (x == NULL)
        return;
    /* the writer flushes into the buffer when freed, so it goes first; it never frees the
     * buffer of a memory writer */
    if (x->w != NULL)
        xmlFreeTextWriter(x->w);
    if (x->buf != NULL)
        xmlBufferFree(x->buf);
    free(x);
}

static int spend(struct xml_out *x)
{
    x->spent = 1;
    return -1;
}

static int name_ok(const char *name)
{
    return name != NULL && xmlValidateNCName((const xmlChar *)name, 0) == 0;
}

/* 1 when the n bytes at s match XML 1.0's Char production: the one definition in utf8.c,
 * which the decoders of echoed fields also apply, so accepted input always encodes. */
static int chars_ok(const char *s, size_t n)
{
    return utf8_xml_chars(s, n);
}

int xml_out_open(struct xml_out *x, const char *name)
{
    if (x == NULL || x->spent)
        return -1;
    if (!name_ok(name) || xmlTextWriterStartElement(x->w, (const xmlChar *)name) < 0)
        return spend(x);
    return 0;
}

int xml_out_close(struct xml_out *x)
{
    if (x == NULL || x->spent)
        return -1;
    /* libxml2 refuses (-1) when no element is open */
    if (xmlTextWriterEndElement(x->w) < 0)
        return spend(x);
    return 0;
}

int xml_out_text(struct xml_out *x, const char *name, const char *text)
{
    if (x == NULL || x->spent)
        return -1;
    if (!name_ok(name) || (text != NULL && !chars_ok(text, strlen(text))))
        return spend(x);
    /* FullEndElement: <name></name> even when text is NULL or "", as the header promises */
    if (xmlTextWriterStartElement(x->w, (const xmlChar *)name) < 0
        || (text != NULL && xmlTextWriterWriteString(x->w, (const xmlChar *)text) < 0)
        || xmlTextWriterFullEndElement(x->w) < 0)
        return spend(x);
    return 0;
}

int xml_out_text_replacing(struct xml_out *x, const char *name, const char *text)
{
    static const char replacement[] = "\xef\xbf\xbd";   /* U+FFFD */
    if (text == NULL || chars_ok(text, strlen(text)))
        return xml_out_text(x, name, text);
    struct buf b = { 0 };
    size_t n = strlen(text), i = 0;
    while (i < n) {
        uint32_t cp;
        size_t k = utf8_next(text + i, n - i, &cp);
        if (k == 0 || !utf8_xml_char(cp)) {
            buf_append(&b, replacement, sizeof replacement - 1);
            i += k == 0 ? 1 : k;
        } else {
            buf_append(&b, text + i, k);
            i += k;
        }
    }
    buf_append(&b, "", 1);   /* the terminating NUL */
    int rc = b.failed ? (x != NULL ? spend(x) : -1) : xml_out_text(x, name, b.data);
    buf_free(&b);
    return rc;
}

int xml_out_int(struct xml_out *x, const char *name, long long v)
{
    char num[24];
    snprintf(num, sizeof num, "%lld", v);
    return xml_out_text(x, name, num);
}

int xml_out_empty(struct xml_out *x, const char *name)
{
    if (x == NULL || x->spent)
        return -1;
    if (!name_ok(name) || xmlTextWriterStartElement(x->w, (const xmlChar *)name) < 0
        || xmlTextWriterEndElement(x->w) < 0)
        return spend(x);
    return 0;
}

int xml_out_finish(struct xml_out *x, struct buf *out)
{
    if (x == NULL || x->spent)
        return -1;
    /* finished is spent too: anything written after the root would not be XML */
    x->spent = 1;
    /* EndDocument closes every open element and ends the document with one newline */
    if (xmlTextWriterEndDocument(x->w) < 0 || xmlTextWriterFlush(x->w) < 0)
        return -1;
    const xmlChar *p = xmlBufferContent(x->buf);
    int n = xmlBufferLength(x->buf);
    if (p == NULL || n <= 0)
        return -1;
    return buf_append(out, p, (size_t)n);
}
