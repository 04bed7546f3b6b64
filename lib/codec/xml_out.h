/* xml_out.h: XML responses (Xtracta) written with libxml2's xmlTextWriter into memory. Element
 * text is escaped by libxml2; callers pass UTF-8 already validated. The document starts with
 * <?xml version="1.0" encoding="UTF-8"?> as the seed shows. Element names must be XML names and
 * text must be XML 1.0 characters (no control characters, no U+FFFE/U+FFFF): anything else
 * fails the writer rather than producing a malformed document. A finished writer is spent. */
#ifndef PROV_XML_OUT_H
#define PROV_XML_OUT_H

#include <stddef.h>

struct buf;
struct xml_out;

/* A writer with the XML declaration already written, or NULL. Free with xml_out_free(). */
struct xml_out *xml_out_new(void);
void xml_out_free(struct xml_out *x);
/* <name> ... </name> nesting. Each returns 0, or -1 once the writer has failed (sticky). */
int xml_out_open(struct xml_out *x, const char *name);
int xml_out_close(struct xml_out *x);
/* <name>text</name>; text may be NULL for an empty <name></name>. */
int xml_out_text(struct xml_out *x, const char *name, const char *text);
/* The same for text that may quote a request (error messages): every byte sequence that is
 * not an XML 1.0 character is written as U+FFFD, so only a lack of memory can fail it. */
int xml_out_text_replacing(struct xml_out *x, const char *name, const char *text);
int xml_out_int(struct xml_out *x, const char *name, long long v);
/* <name/> */
int xml_out_empty(struct xml_out *x, const char *name);
/* Closes every open element, ends the document and appends its bytes to out. */
int xml_out_finish(struct xml_out *x, struct buf *out);

#endif
