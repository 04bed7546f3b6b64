  # ServicePower bulk Users (seed 001): mint a JWT from the demo tenant's jwtSecret, then one batch
  JWT=$(python3 -c 'import base64,hashlib,hmac,json,sys,time
sp = json.load(open(sys.argv[1]))["servicepower"]
enc = lambda b: base64.urlsafe_b64encode(b).rstrip(b"=").decode()
m = enc(b"{\"alg\":\"HS256\",\"typ\":\"JWT\"}") + "." + enc(json.dumps(
    {"customerid": sp["customerid"], "exp": int(time.time()) + 600}).encode())
print(m + "." + enc(hmac.new(sp["jwtSecret"].encode(), m.encode(), hashlib.sha256).digest()))' $T)
  curl -X POST http://127.0.0.1:@PORT@/seiapi/v3/bulk/Users -H "x-access-token: $JWT" -H 'Content-Type: application/json' \
    -d '{"Users":[{"UserID":"tech01","CUD":1,"FirstName":"Ann","Email":"ann@example.com","Roles":["Resource"]},{"UserID":"tech99","CUD":3}]}'
