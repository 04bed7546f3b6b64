/* fuzz_sp_query.c: libFuzzer harness for the ServicePower Users Query parameter parser
 * (lib/codec/sp_query.c). Input: lines "name=value" (split at the first '='), each one parameter as
 * the form decoder would hand it over, added until the first refusal. Checks beyond the
 * sanitizers: a refusal has a message ending with an offset inside the value and a bounded,
 * single-line UTF-8 text; an accepted query stays within its limits (comparisons, values per
 * list, start, limit, one sort key per field, no true/false field in q), holds only clean
 * values (booleans exactly "true"/"false"), and its canonical text fed back line by line gives
 * the same query (comparison for comparison, group for group) with the same text. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "fuzz.h"
#include "base/utf8.h"
#include "codec/sp_query.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_value(enum spq_field f, const struct spq_value *v)
{
    FUZZ_ASSERT(v->s != NULL && strlen(v->s) == v->len);
    FUZZ_ASSERT(text_check(v->s, v->len, TEXT_SINGLE_LINE) == TEXT_OK);
    if (spq_field_is_bool(f))
        FUZZ_ASSERT(strcmp(v->s, "true") == 0 || strcmp(v->s, "false") == 0);
}

static void check_cmp(const struct spq_cmp *c)
{
    FUZZ_ASSERT((unsigned)c->field < SPQ_F_COUNT && (unsigned)c->op <= SPQ_OP_OUT);
    int list = c->op == SPQ_OP_IN || c->op == SPQ_OP_OUT;
    FUZZ_ASSERT(c->nvalues >= 1 && c->nvalues <= (list ? (size_t)SPQ_MAX_VALUES : 1));
    if (spq_field_is_bool(c->field))
        FUZZ_ASSERT(c->op == SPQ_OP_EQ || c->op == SPQ_OP_NE || list);
    for (size_t i = 0; i < c->nvalues; i++)
        check_value(c->field, &c->values[i]);
}

static void check_query(const struct spq_query *q)
{
    size_t n = q->nfilter;
    for (size_t i = 0; i < q->nfilter; i++) {
        FUZZ_ASSERT(q->filter[i].op == SPQ_OP_EQ);
        check_cmp(&q->filter[i]);
    }
    for (size_t g = 0; g < q->ngroups; g++) {
        FUZZ_ASSERT(q->groups[g].n >= 1);
        for (size_t i = 0; i < q->groups[g].n; i++)
            check_cmp(&q->groups[g].cmps[i]);
        n += q->groups[g].n;
    }
    FUZZ_ASSERT(n == q->terms && n <= SPQ_MAX_TERMS);
    if (q->q != NULL) {
        FUZZ_ASSERT(q->qlen > 0 && strlen(q->q) == q->qlen);
        FUZZ_ASSERT(text_check(q->q, q->qlen, TEXT_SINGLE_LINE) == TEXT_OK);
        FUZZ_ASSERT(q->q_fields != 0 && q->q_fields < (1u << SPQ_F_COUNT));
        for (int f = 0; f < SPQ_F_COUNT; f++)
            if (q->q_fields & (1u << f))
                FUZZ_ASSERT(!spq_field_is_bool((enum spq_field)f));
    }
    FUZZ_ASSERT(q->nsort <= SPQ_F_COUNT);
    unsigned seen = 0;
    for (size_t i = 0; i < q->nsort; i++) {
        FUZZ_ASSERT((unsigned)q->sort[i].field < SPQ_F_COUNT);
        FUZZ_ASSERT(!(seen & (1u << q->sort[i].field)));
        seen |= 1u << q->sort[i].field;
    }
    FUZZ_ASSERT(q->start >= 0 && q->start <= SPQ_MAX_START);
    FUZZ_ASSERT(q->limit >= 0 && q->limit <= SPQ_MAX_LIMIT);
}

static int cmp_eq(const struct spq_cmp *a, const struct spq_cmp *b)
{
    if (a->field != b->field || a->op != b->op || a->nvalues != b->nvalues)
        return 0;
    for (size_t i = 0; i < a->nvalues; i++)
        if (a->values[i].len != b->values[i].len
            || memcmp(a->values[i].s, b->values[i].s, a->values[i].len) != 0)
            return 0;
    return 1;
}

static int query_eq(const struct spq_query *a, const struct spq_query *b)
{
    if (a->nfilter != b->nfilter || a->ngroups != b->ngroups || a->terms != b->terms
        || a->nsort != b->nsort || a->start != b->start || a->limit != b->limit
        || (a->q == NULL) != (b->q == NULL))
        return 0;
    for (size_t i = 0; i < a->nfilter; i++)
        if (!cmp_eq(&a->filter[i], &b->filter[i]))
            return 0;
    for (size_t g = 0; g < a->ngroups; g++) {
        if (a->groups[g].n != b->groups[g].n)
            return 0;
        for (size_t i = 0; i < a->groups[g].n; i++)
            if (!cmp_eq(&a->groups[g].cmps[i], &b->groups[g].cmps[i]))
                return 0;
    }
    if (a->q != NULL && (a->qlen != b->qlen || memcmp(a->q, b->q, a->qlen) != 0
                         || a->q_fields != b->q_fields))
        return 0;
    for (size_t i = 0; i < a->nsort; i++)
        if (a->sort[i].field != b->sort[i].field || a->sort[i].desc != b->sort[i].desc)
            return 0;
    return 1;
}

static void check_error(enum spq_status st, const struct spq_error *e, size_t vlen)
{
    FUZZ_ASSERT(e->status == st);
    if (st == SPQ_OK || st == SPQ_NOT_QUERY)
        return;
    FUZZ_ASSERT(e->offset <= vlen);
    size_t ml = strlen(e->msg), tl = strlen(e->text);
    FUZZ_ASSERT(ml > 0 && utf8_valid(e->msg, ml));
    char tail[40];
    snprintf(tail, sizeof tail, " at byte %zu", e->offset);
    FUZZ_ASSERT(ml > strlen(tail) && strcmp(e->msg + ml - strlen(tail), tail) == 0);
    FUZZ_ASSERT(tl > 0 && tl <= SPQ_TEXT_MAX + 3);
    FUZZ_ASSERT(text_check(e->text, tl, TEXT_SINGLE_LINE) == TEXT_OK);
}

/* Adds every "name=value" line of the n bytes at s to q; SPQ_OK when all were accepted (or
 * not query parameters). */
static enum spq_status add_lines(struct spq_query *q, struct arena *a, const char *s, size_t n,
                                 int check)
{
    for (size_t i = 0; i < n;) {
        const char *nl = memchr(s + i, '\n', n - i);
        size_t end = nl != NULL ? (size_t)(nl - s) : n;
        const char *eq = memchr(s + i, '=', end - i);
        size_t ne = eq != NULL ? (size_t)(eq - s) : end;
        size_t vb = eq != NULL ? ne + 1 : end;
        struct spq_error e;
        enum spq_status st = spq_add(q, a, s + i, ne - i, s + vb, end - vb, &e);
        if (check)
            check_error(st, &e, end - vb);
        if (st != SPQ_OK && st != SPQ_NOT_QUERY)
            return st;
        i = end + 1;
    }
    return SPQ_OK;
}

static struct arena *arena(void)
{
    static struct arena *a;
    if (a == NULL && (a = arena_new()) == NULL)
        abort();
    arena_reset(a);
    return a;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct arena *a = arena();
    struct spq_query q;
    spq_init(&q);
    if (add_lines(&q, a, (const char *)data, size, 1) != SPQ_OK)
        return 0;
    check_query(&q);
    char *t1 = spq_to_string(a, &q);
    FUZZ_ASSERT(t1 != NULL);
    /* quoting makes a printed value longer than its input: only lines within the limit must
     * read back */
    for (const char *l = t1; *l != '\0';) {
        const char *nl = strchr(l, '\n');
        FUZZ_ASSERT(nl != NULL);
        const char *eq = memchr(l, '=', (size_t)(nl - l));
        FUZZ_ASSERT(eq != NULL);
        if ((size_t)(nl - eq - 1) > SPQ_MAX_LEN)
            return 0;
        l = nl + 1;
    }
    struct spq_query r;
    spq_init(&r);
    enum spq_status st = add_lines(&r, a, t1, strlen(t1), 0);
    if (st != SPQ_OK)
        fprintf(stderr, "canonical text refused (%d):\n%s", (int)st, t1);
    FUZZ_ASSERT(st == SPQ_OK);
    check_query(&r);
    FUZZ_ASSERT(query_eq(&q, &r));
    char *t2 = spq_to_string(a, &r);
    FUZZ_ASSERT(t2 != NULL && strcmp(t1, t2) == 0);
    return 0;
}
