/* fuzz_scim_filter.c: libFuzzer harness for the SCIM filter and PATCH path parser
 * (lib/codec/scim_filter.c). Input: a selector byte (bit 0 set: a PATCH path, else a filter), then
 * the text. Checks beyond the sanitizers: an accepted tree holds only NUL-free valid UTF-8
 * strings, stays within the nesting and comparison limits (counted on the tree itself, as the
 * printer would parenthesise it), keeps value paths out of value paths, and its canonical
 * print parses back into the same tree (node for node, except that a bare word comes back
 * quoted) with the same print; a refusal leaves no tree, and a message that ends with an
 * offset inside the input. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "fuzz.h"
#include "base/utf8.h"
#include "codec/scim_filter.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int text_ok(const char *s, size_t n)
{
    return s != NULL && strlen(s) == n && utf8_valid(s, n);
}

/* An attribute or sub-attribute name: "$ref" or ALPHA *(ALPHA / DIGIT / "-" / "_"). */
static int name_ok(const char *s)
{
    if (s == NULL)
        return 0;
    if (scim_name_is(s, "$ref"))
        return 1;
    if (!((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z')))
        return 0;
    for (const char *p = s; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9')
              || *p == '-' || *p == '_'))
            return 0;
    return 1;
}

static void check_attr(const struct scim_attr_path *ap, int in_bracket)
{
    FUZZ_ASSERT(name_ok(ap->name));
    if (ap->sub != NULL)
        FUZZ_ASSERT(!in_bracket && name_ok(ap->sub));
    if (ap->urn != NULL) {
        FUZZ_ASSERT(!in_bracket);
        FUZZ_ASSERT(text_ok(ap->urn, strlen(ap->urn)));
        FUZZ_ASSERT(strlen(ap->urn) > 4 && strncasecmp(ap->urn, "urn:", 4) == 0);
    }
}

static void check_value(enum scim_op op, const struct scim_value *v)
{
    switch (v->kind) {
    case SCIM_VALUE_STRING:
        FUZZ_ASSERT(text_ok(v->text, v->len));
        break;
    case SCIM_VALUE_NUMBER:
        FUZZ_ASSERT(text_ok(v->text, v->len) && v->len <= SCIM_NUMBER_MAX);
        break;
    default:
        FUZZ_ASSERT(v->text == NULL);
        FUZZ_ASSERT(op == SCIM_OP_EQ || op == SCIM_OP_NE);
    }
}

static int prec(const struct scim_filter *f)
{
    return f->kind == SCIM_NODE_OR ? 1 : f->kind == SCIM_NODE_AND ? 2 : 3;
}

/* Walks a tree: depth counts the "(" and "[" its print holds around f. */
static void check_tree(const struct scim_filter *f, int depth, int *terms, int in_bracket)
{
    FUZZ_ASSERT(f != NULL);
    FUZZ_ASSERT(depth <= SCIM_FILTER_MAX_DEPTH);
    switch (f->kind) {
    case SCIM_NODE_AND:
    case SCIM_NODE_OR:
        check_tree(f->left, depth + (prec(f->left) < prec(f)), terms, in_bracket);
        check_tree(f->right, depth + (prec(f->right) <= prec(f)), terms, in_bracket);
        break;
    case SCIM_NODE_NOT:
        FUZZ_ASSERT(f->right == NULL);
        check_tree(f->left, depth + 1, terms, in_bracket);
        break;
    case SCIM_NODE_COMPARE:
    case SCIM_NODE_PRESENT:
        FUZZ_ASSERT((f->kind == SCIM_NODE_PRESENT) == (f->op == SCIM_OP_PR));
        check_attr(&f->attr, in_bracket);
        if (f->op != SCIM_OP_PR)
            check_value(f->op, &f->value);
        (*terms)++;
        break;
    case SCIM_NODE_VALUE_PATH:
        FUZZ_ASSERT(!in_bracket);
        check_attr(&f->attr, 0);
        check_tree(f->inner, depth + 1, terms, 1);
        if (f->then_sub != NULL) {
            FUZZ_ASSERT(name_ok(f->then_sub) && f->attr.sub == NULL);
            if (f->op != SCIM_OP_PR)
                check_value(f->op, &f->value);
            (*terms)++;
        }
        break;
    default:
        FUZZ_ASSERT(!"unknown node kind");
    }
    FUZZ_ASSERT(*terms <= SCIM_FILTER_MAX_TERMS);
}

static int str_eq(const char *a, const char *b)
{
    return (a == NULL && b == NULL) || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

static int attr_eq(const struct scim_attr_path *a, const struct scim_attr_path *b)
{
    return str_eq(a->urn, b->urn) && str_eq(a->name, b->name) && str_eq(a->sub, b->sub);
}

static int value_eq(const struct scim_value *a, const struct scim_value *b)
{
    if (a->kind != b->kind)
        return 0;
    if (a->kind != SCIM_VALUE_STRING && a->kind != SCIM_VALUE_NUMBER)
        return 1;
    return a->len == b->len && memcmp(a->text, b->text, a->len) == 0 && a->is_int == b->is_int
           && a->i == b->i;
}

/* Structural equality (offsets and the unquoted flag aside). */
static int tree_eq(const struct scim_filter *a, const struct scim_filter *b)
{
    if (a == NULL || b == NULL)
        return a == b;
    if (a->kind != b->kind)
        return 0;
    switch (a->kind) {
    case SCIM_NODE_AND:
    case SCIM_NODE_OR:
        return tree_eq(a->left, b->left) && tree_eq(a->right, b->right);
    case SCIM_NODE_NOT:
        return tree_eq(a->left, b->left);
    case SCIM_NODE_COMPARE:
    case SCIM_NODE_PRESENT:
        return attr_eq(&a->attr, &b->attr) && a->op == b->op
               && (a->op == SCIM_OP_PR || value_eq(&a->value, &b->value));
    case SCIM_NODE_VALUE_PATH:
        if (!attr_eq(&a->attr, &b->attr) || !tree_eq(a->inner, b->inner)
            || !str_eq(a->then_sub, b->then_sub))
            return 0;
        return a->then_sub == NULL
               || (a->op == b->op && (a->op == SCIM_OP_PR || value_eq(&a->value, &b->value)));
    }
    return 0;
}

static void check_error(enum scim_filter_status st, const struct scim_filter_error *e,
                        size_t size)
{
    FUZZ_ASSERT(e->status == st);
    FUZZ_ASSERT(e->offset <= size);
    size_t ml = strlen(e->msg);
    FUZZ_ASSERT(ml > 0 && utf8_valid(e->msg, ml));
    char tail[40];
    snprintf(tail, sizeof tail, " at byte %zu", e->offset);
    FUZZ_ASSERT(ml > strlen(tail) && strcmp(e->msg + ml - strlen(tail), tail) == 0);
}

static struct arena *arena(void)
{
    static struct arena *a;
    if (a == NULL && (a = arena_new()) == NULL)
        abort();
    arena_reset(a);
    return a;
}

static void one_filter(struct arena *a, const char *s, size_t n)
{
    struct scim_filter *f = (struct scim_filter *)&f;
    struct scim_filter_error e;
    enum scim_filter_status st = scim_filter_parse(a, s, n, &f, &e);
    if (st != SCIM_FILTER_OK) {
        FUZZ_ASSERT(f == NULL);
        check_error(st, &e, n);
        return;
    }
    int terms = 0;
    check_tree(f, 0, &terms, 0);
    char *p1 = scim_filter_to_string(a, f);
    FUZZ_ASSERT(p1 != NULL && utf8_valid(p1, strlen(p1)));
    /* the print may be longer than the input (quotes around bare words): only one within the
     * length limit must parse again */
    if (strlen(p1) > SCIM_FILTER_MAX_LEN)
        return;
    struct scim_filter *g = NULL;
    st = scim_filter_parse(a, p1, strlen(p1), &g, &e);
    if (st != SCIM_FILTER_OK)
        fprintf(stderr, "print %s refused: %s\n", p1, e.msg);
    FUZZ_ASSERT(st == SCIM_FILTER_OK);
    int terms2 = 0;
    check_tree(g, 0, &terms2, 0);
    FUZZ_ASSERT(terms2 == terms);
    FUZZ_ASSERT(tree_eq(f, g));
    char *p2 = scim_filter_to_string(a, g);
    FUZZ_ASSERT(p2 != NULL && strcmp(p1, p2) == 0);
}

static void one_path(struct arena *a, const char *s, size_t n)
{
    struct scim_path *p = (struct scim_path *)&p;
    struct scim_filter_error e;
    enum scim_filter_status st = scim_path_parse(a, s, n, &p, &e);
    if (st != SCIM_FILTER_OK) {
        FUZZ_ASSERT(p == NULL);
        check_error(st, &e, n);
        return;
    }
    check_attr(&p->attr, 0);
    int terms = 0;
    if (p->filter != NULL)
        check_tree(p->filter, 1, &terms, 1);
    if (p->value_sub != NULL)
        FUZZ_ASSERT(p->filter != NULL && p->attr.sub == NULL && name_ok(p->value_sub));
    char *t1 = scim_path_to_string(a, p);
    FUZZ_ASSERT(t1 != NULL);
    if (strlen(t1) > SCIM_FILTER_MAX_LEN)
        return;
    struct scim_path *q = NULL;
    st = scim_path_parse(a, t1, strlen(t1), &q, &e);
    FUZZ_ASSERT(st == SCIM_FILTER_OK);
    FUZZ_ASSERT(attr_eq(&p->attr, &q->attr) && tree_eq(p->filter, q->filter)
                && str_eq(p->value_sub, q->value_sub));
    char *t2 = scim_path_to_string(a, q);
    FUZZ_ASSERT(t2 != NULL && strcmp(t1, t2) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    struct arena *a = arena();
    const char *s = (const char *)data + 1;
    if (data[0] & 1)
        one_path(a, s, size - 1);
    else
        one_filter(a, s, size - 1);
    return 0;
}
