"""make_corpus_query.py: the seed corpora of the query-language harnesses, fuzz_scim_filter
and fuzz_sp_query, for make_corpus.py (which calls write_all with its write function after
clearing the old seed-* files). SCIM: every example filter of RFC 7644 section 3.4.2.2, the
filters of Microsoft's SCIM test collection (bare words, odd case), the lookups Okta and Entra ID
document, PATCH paths from the RFC and from Entra's and Okta's requests, and refusals near each
limit; selector byte 0 for a filter, 1 for a path. ServicePower: the Users Query API's
parameters as lines "name=value" (the vendor's examples, every filters operator, lists, q, sort,
paging) and refusals. Standard library only."""

RFC_FILTERS = [
    'userName eq "bjensen"',
    'name.familyName co "O\'Malley"',
    'userName sw "J"',
    'urn:ietf:params:scim:schemas:core:2.0:User:userName sw "J"',
    'title pr',
    'meta.lastModified gt "2011-05-13T04:42:34Z"',
    'meta.lastModified ge "2011-05-13T04:42:34Z"',
    'meta.lastModified lt "2011-05-13T04:42:34Z"',
    'meta.lastModified le "2011-05-13T04:42:34Z"',
    'title pr and userType eq "Employee"',
    'title pr or userType eq "Intern"',
    'schemas eq "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"',
    'userType eq "Employee" and (emails co "example.com" or emails.value co "example.org")',
    'userType ne "Employee" and not (emails co "example.com" or emails.value co "example.org")',
    'userType eq "Employee" and (emails.type eq "work")',
    'userType eq "Employee" and emails[type eq "work" and value co "@example.com"]',
    'emails[type eq "work" and value co "@example.com"] or '
    'ims[type eq "xmpp" and value co "@foo.com"]',
]

CLIENT_FILTERS = [
    # Microsoft's SCIM test collection
    'DisplayName eq "BobIsAmazing"',
    'meta.Created gt 2015-10-10T14:38:21.8617979-07:00',
    'name.FamilyName eq Employee and (emails.Value co example.com or emails.Value co example.org)',
    'userName sw O',
    # Okta and Entra ID lookups
    'userName eq "test.user@okta.local"',
    'displayName eq "Test SCIMv2"',
    'externalId eq "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef"',
    'emails[type eq "Primary"].value eq "001750ca-8202-47cd-b553-c63f4f245940"',
    'members[value eq "337991"]',
    # the grammar's corners
    'a eq 1 or b eq 2 and c eq 3',
    'not (not (a pr)) and (b eq true or c ne null)',
    "emails[type eq 'work' and not (value ew '.org')].display pr",
    'x eq "\\u00e9\\ud83d\\ude00\\n\\"\\\\" or y ge -12.5e3 or z lt 9223372036854775808',
    'URN:IETF:PARAMS:SCIM:SCHEMAS:CORE:2.0:USER:USERNAME EQ "X" AND Title PR',
    'members[$ref pr] or not eq 1',
    'a eq "\\u0001\\u001f\\u007f\\b\\f\\t\\r\\/" or b sw "\u00e9\u20ac"',
    # at the limits: nesting that stays in the tree, and 64 comparisons
    'not (' * 16 + 'a pr' + ')' * 16,
    '(a pr or ' * 15 + 'e[t pr]' + ')' * 15,
    'e[' + '(t pr and ' * 15 + 'u pr' + ')' * 15 + ']',
    ' and '.join('a%d eq %d' % (i, i) for i in range(63)) + ' and e[t pr].v eq 1',
]

BAD_FILTERS = [
    'not (' * 17 + 'a pr' + ')' * 17,
    '(a pr or ' * 16 + 'e[t pr]' + ')' * 16,
    ' and '.join('a%d eq %d' % (i, i) for i in range(64)) + ' and e[t pr].v eq 1',
    'a eq "unterminated',
    'a gt true',
    '(' * 17 + 'a pr' + ')' * 17,
    ' or '.join('a%d pr' % i for i in range(65)),
    'emails[emails[a pr]]',
    'a.b.c eq 1',
    'not a pr',
    'a eq "\\ud800"',
]

PATHS = [
    'userName',
    'name.givenName',
    'members[value eq "2819c223-7f76-453a-919d-413861904646"]',
    'emails[type eq "work"].value',
    'addresses[type eq "work"].streetAddress',
    'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager',
    'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber',
    'members[value eq "7f4bc1a3-285e-48ae-8202-5accb43efb0e"]',
    'emails[type eq "work"]',
    'emails[type eq "work"].value.x',
]

SP_QUERIES = [
    b"filter=UserID:tech1,filter:DGroupID:G1",
    b"filter=WorkCenter:EastCoast",
    b"filters=ServiceTeamID==EastCoast",
    b"filters=FirstName==a;LastName!=b,Email=ne=c and UserID=gt=d or DGroupID>e;"
    b"LanguageCode>=en;StorageLocation<=S;UserStatus<z;ServiceTeamID=lt=x;Email=le=y",
    b"filters=UserStatus=in=(Active,'On Leave',\"x \\\"y\\\"\");Locked=out=(true);SMS==FALSE",
    b"q=Joh::in:FirstName,LastName\nsort=-LastName,FirstName\nstart=20\nlimit=50",
    b"q=Joh\nfilter=IsMobileWorker:true\nfilters=Facetime!=true\nlimit=1000\nstart=0",
    b"customerid=CUST1\ncustomercode=XYZ\nfilter=Email:a@b.co\nsort= FirstName",
    b"filters=(FirstName==a)",
    b"filters=FirstName=like=Jo",
    b"limit=1001",
    b"fields=UserID,Email",
    b"q=x::in:SMS",
    b"sort=FirstName,-firstname",
    b"filters=" + b",".join(b"UserID==u%d" % i for i in range(65)),
    b"filters=UserID=in=(" + b",".join(b"u%d" % i for i in range(65)) + b")",
]


def write_all(write):
    for i, f in enumerate(RFC_FILTERS):
        write("scim_filter", "rfc-%02d" % i, b"\x00" + f.encode())
    for i, f in enumerate(CLIENT_FILTERS):
        write("scim_filter", "client-%02d" % i, b"\x00" + f.encode())
    for i, f in enumerate(BAD_FILTERS):
        write("scim_filter", "bad-%02d" % i, b"\x00" + f.encode())
    for i, p in enumerate(PATHS):
        write("scim_filter", "path-%02d" % i, b"\x01" + p.encode())
    for i, q in enumerate(SP_QUERIES):
        write("sp_query", "query-%02d" % i, q)
