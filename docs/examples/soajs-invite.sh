  # SOAJS urac invite (seed 004): a sub-tenant of the demo tenant invites a user of the demo
  # tenant, with a login pin queued by mail (docs/soajs-invite.md)
  S=var/demo-sub-tenant.json; export PROVISION_CONF=var/provision.conf
  [ -s $S ] || (umask 077 && build/provctl tenant create --name "Demo shop" --parent "$(jq -r .id $T)" --json > $S)
  curl -X POST "http://127.0.0.1:@PORT@/urac/admin/addUser?tId=$(jq -r .id $T)&tCode=$(jq -r .code $T)" \
    -H "key: $(jq -r .soajs.key $T)" -d 'username=jane&firstName=Jane&lastName=Roe&email=jane@domain.com'
  curl -X PUT http://127.0.0.1:@PORT@/urac/admin/users/invite -H "key: $(jq -r .soajs.key $S)" \
    -H 'Content-Type: application/json' -d '{"users":[{"user":{"username":"jane"},"pin":{"code":true,"allowed":true}}]}'
