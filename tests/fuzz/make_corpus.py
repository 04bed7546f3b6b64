#!/usr/bin/env python3
"""make_corpus.py: writes the seed corpora of the fuzz harnesses (tests/fuzz/corpus/<harness>/)
from the vendors' examples in the seed pages (the vendor API pages: the Skedulo POST body, the
SOAJS addUser curl, the Xtracta sample request, the ServicePower envelope) and from requests
of the HTTP test suite (tests/http/test_*.py), valid and invalid. Run it again after changing
it; it rewrites only the seed-* files, never the crash-* regression inputs found by fuzzing.
Each file is named seed-<what it is>; harnesses that take a selector byte get it first.
Standard library only."""
import base64
import hashlib
import hmac
import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "corpus")

J = lambda o: json.dumps(o, separators=(",", ":")).encode()  # noqa: E731

# ---- the vendors' examples (seed pages) ----
SK_SEED_000 = [{"email": "new_user@skedulo.com", "firstName": "New", "lastName": "User",
                "roles": ["Scheduler"], "sendInvitation": True}]
SOAJS_SEED_002 = b"username=john&firstName=John&lastName=Doe&email=johndoe@domain.com"
SOAJS_QUERY_002 = b"tId=5551aca9e179c39b760f7a1a&tCode=DBTN"
XTRACTA_SEED_003 = (b"api_key=123&name=John&email_address=john@xtracta.com&password=12345678"
                    b"&group_id=12345")
SP_SEED_001 = {"Users": [{"UserID": "tech1", "CUD": 1, "FirstName": "Tech", "LastName": "One",
                          "Email": "tech1@example.com", "Password": "Secret123!",
                          "Roles": ["Scheduler"]}]}
INVITE_SEED_004 = {"users": [{"user": {"id": "5551aca9e179c39b760f7a1a"}, "groups": ["AAAA"],
                              "pin": {"code": True, "allowed": True}}]}

REGION = "0d0b8c57-1a42-4c1e-9f65-6c3b1a6d2e11"
RESOURCE = {"primaryRegionId": REGION, "isActive": True, "resourceType": "Person",
            "employmentType": "Full-time", "category": "Field", "homeAddress": "1 Main St",
            "mobilePhone": "+61 (0)400 123-456", "countryCode": "au", "notificationType": "sms",
            "workingHourType": "Availability", "geoLatitude": -33.86, "geoLongitude": 151.2,
            "Skill__c": "Electrical", "Level__c": 3}


def write(harness, name, data):
    d = os.path.join(OUT, harness)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "seed-" + name), "wb") as f:
        f.write(data)


def multipart(fields, files=(), boundary="XyZ-boundary-42"):
    out = b""
    for k, v in fields:
        out += (f"--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n"
                .encode() + v + b"\r\n")
    for k, fn, ct, v in files:
        out += (f"--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"; "
                f"filename=\"{fn}\"\r\nContent-Type: {ct}\r\n\r\n").encode() + v + b"\r\n"
    out += f"--{boundary}--\r\n".encode()
    return f"multipart/form-data; boundary={boundary}".encode(), out


def b64u(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=")


def jwt(header, claims, key=b"fuzz-secret-0123456789abcdef"):
    si = b64u(J(header)) + b"." + b64u(J(claims))
    return si + b"." + b64u(hmac.new(key, si, hashlib.sha256).digest())


def main():
    for d in os.listdir(OUT) if os.path.isdir(OUT) else []:
        for f in os.listdir(os.path.join(OUT, d)):
            if f.startswith("seed-"):
                os.unlink(os.path.join(OUT, d, f))
    __import__("make_corpus_query").write_all(write)  # fuzz_scim_filter, fuzz_sp_query

    # form: the seed curls, the suite's form conventions, bad escapes
    write("form", "soajs-002", SOAJS_SEED_002)
    write("form", "soajs-002-query", SOAJS_QUERY_002)
    write("form", "xtracta-003", XTRACTA_SEED_003)
    write("form", "arrays", b"groups=a&groups=b&groups[]=c&k%5B%5D=d")
    write("form", "objects", b"pin[code]=1234&pin[allowed]=true&a[b][c][d]=x&a[b][e]=y")
    write("form", "invite-indexed", b"users[0][user][username]=jane&users[0][groups][]=G1"
                                    b"&users[0][pin][code]=true&users[0][pin][allowed]=false")
    write("form", "escapes", b"name=J%C3%B6rg+M%C3%BCller&email=a%40b.co&x=%E2%82%AC&e=")
    write("form", "bad", b"a=%zz&%00=1&[x]=2&a[=3&a]=4&&=5&b")
    write("form", "profile-json", b"profile=%7B%22a%22%3A%5B1%2C2%5D%7D&status=active")

    # json: the seed bodies and the strictness edges json_in documents
    write("json", "skedulo-000", J(SK_SEED_000))
    write("json", "servicepower", J(SP_SEED_001))
    write("json", "invite-004", J(INVITE_SEED_004))
    write("json", "numbers", b'[0,-0,1.5e3,-1E-2,9223372036854775807,-9223372036854775808,'
                             b'18446744073709551615,1e308,0.1]')
    write("json", "strings", b'{"a":"\\u00e9\\ud83d\\ude00\\n\\t\\"\\\\\\/","b":"\xc3\xa9"}')
    write("json", "nested", b'{"a":[{"b":[{"c":[[[[]]]]}]}],"d":{},"e":null,"f":true}')
    write("json", "dup-keys", b'{"a":1,"a":2,"b":[],"b":{}}')
    write("json", "bad", b'{"a":NaN,"b":01,"c":"\\ud800","d":"\\u0000"}')
    # the array walk (elements of every kind) and keys past an object's first table
    write("json", "array-walk", b'[{"a":1,"b":[1.5,"x,]"]},null,"s",[[]],' +
          J({f"k{i}": i for i in range(12)}) + b"]")

    # multipart: Content-Type line, newline, body
    ct, body = multipart([(b"api_key", b"123"), (b"name", b"John"),
                          (b"email_address", b"john@xtracta.com")])
    write("multipart", "xtracta-fields", ct + b"\n" + body)
    ct, body = multipart([(b"note", b"x")], [("file", "users.csv", "text/csv",
                                              b"FirstName,LastName,Email\r\nA,B,a@b.co\r\n")])
    write("multipart", "skedulo-csv", ct + b"\n" + body)
    write("multipart", "quoted-boundary",
          b'multipart/form-data; charset=utf-8; boundary="a b:c"\n'
          b"preamble\r\n--a b:c\r\nContent-Disposition: form-data; name=\"k[]\"\r\n"
          b"Content-Type: text/plain\r\n\r\nv1\r\n--a b:c\r\nContent-Disposition: form-data; "
          b"name=\"k[]\"; filename=\"\"\r\n\r\nv2\r\n--a b:c--\r\nepilogue")
    write("multipart", "truncated", b"multipart/form-data; boundary=zz\n--zz\r\n"
                                    b"Content-Disposition: form-data; name=a\r\n\r\nxx")

    # skedulo selector 3, the CSV reader alone: the file import's header and rows, quoting, the BOM
    write("skedulo", "csv-skedulo-file", b"\x03\xef\xbb\xbfFirstName,LastName,Email,Roles,IsActive,"
                                 b"RegionId,GeoLatitude\r\nNew,User,new_user@skedulo.com,"
                                 b"Scheduler;Resource,true," + REGION.encode() + b",-33.8\r\n")
    write("skedulo", "csv-quoted", b'\x03a,"b ""q"" c","multi\nline",\n"",x\n\n')
    write("skedulo", "csv-bad", b'\x03a,b"c\r\n"open')

    # jwt: tokens as ServicePower clients send them (signed with the harness's key)
    write("jwt", "valid", jwt({"alg": "HS256", "typ": "JWT"},
                              {"customerid": "CUST1", "exp": 1900000000, "nbf": 1600000000}))
    write("jwt", "expired", jwt({"alg": "HS256"}, {"customerid": "CUST1", "exp": 1000}))
    write("jwt", "alg-none", b64u(J({"alg": "none"})) + b"." + b64u(J({"exp": 1})) + b".")
    write("jwt", "hs512", jwt({"alg": "HS512"}, {"customerid": "C", "exp": 1.5e9}))
    write("jwt", "crit", jwt({"alg": "HS256", "crit": ["x"]}, {"exp": 1900000000}))

    # servicepower: the envelope with every property, CUD and Deleted, warnings
    full = dict(SP_SEED_001["Users"][0], RestPassword=False, ResetPassword=True,
                Activated=True, Locked=False, IsMobileWorker=True, LanguageCode="en-US",
                DGroupID="G1", ServiceTeamID="T1", StorageLocationID="S1", SMS=True,
                FaceTime=False, Status="Active",
                Phones=[{"PhoneNum": "+1 (555) 010-0001", "PhoneType": "Mobile"}],
                Extensions={"shift": "night", "badge": 42, "tags": ["a", "b"], "x/y": None})
    write("servicepower", "seed-001", J(SP_SEED_001))
    write("servicepower", "every-property", J({"Users": [full]}))
    write("servicepower", "cud-mix", J({"Users": [
        {"UserID": "a", "CUD": 2, "Email": "a@example.com"},
        {"UserID": "b", "CUD": 3}, {"UserID": "c", "Deleted": True},
        {"UserID": "d", "Unknown": 1, "Email": " d@example.com "}]}))
    write("servicepower", "bad", J({"Users": [{"UserID": "", "CUD": 4, "Email": "x",
                                               "Roles": "a", "Phones": [{"PhoneNum": 5}]}]}))

    # soajs: selector (bit 0: form, else JSON; bit 1: invite, else addUser), then the body
    write("soajs", "add-" + "seed-002-form", b"\x01" + SOAJS_SEED_002 + b"&" + SOAJS_QUERY_002)
    write("soajs", "add-" + "json-full", b"\x00" + J({
        "username": "john_doe-1", "firstName": "John", "lastName": "Doe",
        "email": " johndoe@domain.com ", "tId": "5551aca9e179c39b760f7a1a", "tCode": "DBTN",
        "profile": {"age": 30}, "groups": ["g1", "g2", "g1"], "status": "active",
        "password": "Secret123!", "confirmation": "Secret123!",
        "pin": {"code": "1234", "allowed": True}}))
    write("soajs", "add-" + "form-full", b"\x01username=j&firstName=J&lastName=D&email=j%40d.co"
          b"&tId=5551aca9e179c39b760f7a1a&tCode=DBTN&profile=%7B%22a%22%3A1%7D&groups=g1"
          b"&groups[]=g2&status=inactive&password=pw&confirmation=pw&pin[code]=99"
          b"&pin[allowed]=false")
    write("soajs", "add-" + "json-profile-string", b"\x00" + J({
        "username": "j", "firstName": "J", "lastName": "D", "email": "j@d.co", "tId": "x",
        "tCode": "y", "profile": "{\"a\":1}", "status": "pendingNew", "password": "p"}))

    write("soajs", "invite-" + "seed-004", b"\x02" + J(INVITE_SEED_004))
    write("soajs", "invite-" + "json-mixed", b"\x02" + J({"users": [
        {"user": {"username": "jane"}}, {"user": {"email": " Jane@Example.com "},
                                         "groups": ["a", "a", "b"]},
        {"user": {}}, {"user": {"id": "ABCDEF0123456789abcdef01"},
                       "pin": {"code": False, "allowed": False}}]}))
    write("soajs", "invite-" + "form-indexed", b"\x03users[0][user][username]=jane"
          b"&users[0][groups][0]=G1&users[0][groups][1]=G2&users[0][pin][code]=true"
          b"&users[0][pin][allowed]=true&users[1][user][email]=a%40b.co")
    write("soajs", "invite-" + "form-json-text", b"\x03users=" + J(INVITE_SEED_004["users"]))

    # xtracta: selector (0 form, 1 multipart), then the body
    write("xtracta", "seed-003", b"\x00" + XTRACTA_SEED_003)
    write("xtracta", "workflows-token", b"\x00api_key=k&name=Jo&email_address=j%40x.io"
          b"&workflow_ids=12%2C+13%2C12&workflow_ids=7&token_expire=3600")
    ct, body = multipart([(b"api_key", b"k"), (b"name", b"John"),
                          (b"email_address", b"john@xtracta.com"), (b"group_id", b"12345"),
                          (b"workflow_ids", b"3,1,2"), (b"token_expire", b"60")])
    write("xtracta", "multipart", b"\x01" + ct + b"\n" + body)

    # skedulo: selector (0 POST/bulk, 1 PATCH, 2 file, 3 the CSV reader), then the body or file
    write("skedulo", "seed-000", b"\x00" + J(SK_SEED_000))
    write("skedulo", "resource", b"\x00" + J([
        {"email": "r@example.com", "firstName": "R", "lastName": "S",
         "roles": ["Resource", "Scheduler"], "regions": [REGION], "sendInvitation": False,
         "resource": RESOURCE},
        {"email": "x@example.com", "lastName": "Y", "resource": {"isActive": True}}]))
    write("skedulo", "patch", b"\x01" + J({
        "0123456789abcdef01234567": {"firstName": "N", "isActive": False, "isManaged": True,
                                     "roles": ["Resource"], "email": "n@example.com",
                                     "resource": {"category": None, "countryCode": "NZ",
                                                  "Skill__c": None}}}))
    write("skedulo", "file-csv", b"\x02FirstName,LastName,Email,Roles,Regions,SendInvitation,"
          b"PrimaryRegionId,IsActive,CountryCode,GeoLatitude,resource.Skill__c\r\n"
          b"A,B,a@example.com,Resource; Scheduler," + REGION.encode() + b",false,"
          + REGION.encode() + b",TRUE,au,12.5,\"x, y\"\r\n")
    write("skedulo", "file-json", b"\x02\xef\xbb\xbf " + J(SK_SEED_000))
    # a JSON file read one element at a time: a user with a resource, one without
    write("skedulo", "file-json-elements", b"\x02" + J([
        {"email": "a@b.co", "lastName": "L", "roles": ["Resource"],
         "resource": {"primaryRegionId": "r", "isActive": True}},
        {"email": "c@d.co", "lastName": "M"}]))


if __name__ == "__main__":
    main()
