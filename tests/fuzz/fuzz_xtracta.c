/* fuzz_xtracta.c: libFuzzer harness for the Xtracta user add fields
 * (lib/dialect/xtracta/xtracta_decode.c) behind the body parsers, as the handler runs them: a form
 * body, or the non-file parts of a multipart one. Input: one selector byte (even: form, odd:
 * multipart), then for a form the body, for multipart the Content-Type line, a newline and the
 * body. Checks beyond the sanitizers: an accepted request has a valid email, a name, a token
 * lifetime in range and workflow ids that are distinct, positive and ascending; and whatever the
 * decoder accepts, the XML writer encodes: the handler's own 200 document (xtracta_answer_write) is
 * written for it, parses back as XML, and gives back the echoed fields byte for byte (a request the
 * writer refused after its user was stored is how a 500 followed a commit, issue 13). */
#include <stdint.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "base/buf.h"
#include "codec/form.h"
#include "dialect/xtracta/xtracta_internal.h"
#include "fuzz.h"
#include "base/valid.h"
#include "codec/json_in.h"
#include "codec/multipart.h"
#include "codec/xml_out.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static json_object *multipart_body(struct ctx *c, const char *in, size_t size)
{
    const char *nl = memchr(in, '\n', size);
    if (nl == NULL || (size_t)(nl - in) > 1024)
        return NULL;
    char *ct = arena_strndup(c->core.arena, in, (size_t)(nl - in));
    if (ct == NULL || strlen(ct) != (size_t)(nl - in))
        return NULL;
    struct mp_part *parts = NULL;
    size_t n = 0;
    char msg[256];
    if (multipart_parse(c->core.arena, ct, nl + 1, size - (size_t)(nl - in) - 1, 64, &parts, &n,
                        msg, sizeof msg) != MP_OK)
        return NULL;
    return multipart_fields(parts, n, msg, sizeof msg);
}

/* The text of the first element named name under node (NULL when none), in libxml2's memory. */
static xmlChar *child_text(xmlNodePtr node, const char *name)
{
    for (xmlNodePtr n = node != NULL ? node->children : NULL; n != NULL; n = n->next)
        if (n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, name) == 0)
            return xmlNodeGetContent(n);
    return NULL;
}

static void expect_child(xmlNodePtr user, const char *name, const char *want)
{
    xmlChar *got = child_text(user, name);
    FUZZ_ASSERT(got != NULL && strcmp((const char *)got, want) == 0);
    xmlFree(got);
}

/* The 200 document for an accepted request, as the handler writes it (with numbers and a
 * token of the sizes the service uses), parsed back. */
static void answer_encodes(struct ctx *c, const struct xtracta_req *req)
{
    const char *wf = NULL;
    if (req->workflows_json != NULL)
        wf = arena_strndup(c->core.arena, req->workflows_json + 1, strlen(req->workflows_json) - 2);
    struct xtracta_answer a = {
        .user_id = 9007199254740991LL, .group_id = 4294967296LL, .name = req->name,
        .email = req->email, .workflows_text = wf, .password = req->password,
        .token = req->token_ttl > 0 ? "Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6" : NULL,
        .qrcode = "data:image/png;base64,iVBORw0KGgo=", .expire = 1700000000,
    };
    struct xml_out *x = xml_out_new();
    FUZZ_ASSERT(x != NULL);
    FUZZ_ASSERT(xtracta_answer_write(x, &a) == 0);
    struct buf out = { 0 };
    FUZZ_ASSERT(xml_out_finish(x, &out) == 0);
    xml_out_free(x);
    xmlDocPtr doc = xmlReadMemory(out.data, (int)out.len, "answer.xml", "UTF-8",
                                  XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    FUZZ_ASSERT(doc != NULL);
    xmlNodePtr root = xmlDocGetRootElement(doc);
    FUZZ_ASSERT(root != NULL && strcmp((const char *)root->name, "user_response") == 0);
    xmlNodePtr user = NULL;
    for (xmlNodePtr n = root->children; n != NULL; n = n->next)
        if (n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, "user") == 0)
            user = n;
    FUZZ_ASSERT(user != NULL);
    expect_child(user, "name", req->name);
    expect_child(user, "email_address", req->email);
    if (req->password != NULL)
        expect_child(user, "password", req->password);
    else
        FUZZ_ASSERT(child_text(user, "password") == NULL);
    xmlFreeDoc(doc);
    buf_free(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct ctx *c = fuzz_ctx();
    if (size < 1)
        return 0;
    const char *body = (const char *)data + 1;
    size_t len = size - 1;
    json_object *obj = NULL;
    char msg[256];
    if (data[0] & 1)
        obj = multipart_body(c, body, len);
    else if (form_decode(body, len, &obj, msg, sizeof msg) != FORM_OK)
        obj = NULL;
    if (obj == NULL)
        goto done;
    struct xtracta_req req;
    msg[0] = '\0';
    if (xtracta_decode(obj, c->core.cfg->string_max, c->core.arena, &req, msg, sizeof msg) != 0) {
        FUZZ_ASSERT(strncmp(msg, "Missing required parameter: ", 28) == 0 ||
                    strncmp(msg, "Invalid value for parameter: ", 29) == 0);
        goto done;
    }
    FUZZ_ASSERT(req.email != NULL && valid_email(req.email, strlen(req.email)));
    FUZZ_ASSERT(req.name != NULL && req.name[0] != '\0');
    FUZZ_ASSERT(req.token_ttl == 0 || (req.token_ttl >= XTRACTA_TOKEN_EXPIRE_MIN &&
                                       req.token_ttl <= XTRACTA_TOKEN_EXPIRE_MAX));
    FUZZ_ASSERT(!req.has_group || req.group_id >= 0);
    if (req.workflows_json != NULL) {
        json_object *w = NULL;
        FUZZ_ASSERT(json_in_parse(req.workflows_json, strlen(req.workflows_json), 2, &w, msg,
                                  sizeof msg) == JSON_IN_OK);
        FUZZ_ASSERT(json_object_is_type(w, json_type_array) &&
                    json_object_array_length(w) == req.nworkflows &&
                    req.nworkflows <= XTRACTA_MAX_WORKFLOWS);
        long long prev = 0;
        for (size_t i = 0; i < req.nworkflows; i++) {
            long long id = json_object_get_int64(json_object_array_get_idx(w, i));
            FUZZ_ASSERT(id > prev);
            prev = id;
        }
        json_object_put(w);
    }
    answer_encodes(c, &req);
done:
    json_object_put(obj);
    fuzz_ctx_reset(c);
    return 0;
}
