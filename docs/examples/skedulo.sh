  # Skedulo (seed 000, docs/skedulo.md): create a user now; import in the background; task status
  curl -X POST http://127.0.0.1:@PORT@/onboarding/provision/standalone/users \
    -H "Authorization: Bearer $(jq -r .skedulo.token $T)" -H 'Content-Type: application/json' \
    -d '[{"email":"new_user@skedulo.com","firstName":"New","lastName":"User","roles":["Scheduler"],"sendInvitation":true}]'
  TASK=$(curl -s -X POST http://127.0.0.1:@PORT@/onboarding/provision/standalone/users/bulk \
    -H "Authorization: Bearer $(jq -r .skedulo.token $T)" -H 'Content-Type: application/json' \
    -d '[{"email":"bulk_user@skedulo.com","firstName":"Bulk","lastName":"User"}]' | jq -r .result.taskId)
  curl http://127.0.0.1:@PORT@/onboarding/provision/standalone/users/bulk/$TASK \
    -H "Authorization: Bearer $(jq -r .skedulo.token $T)"
