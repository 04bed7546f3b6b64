-- wrk_post.lua: POSTs a new user each time, as SOAJS addUser JSON (no password, so the user is
-- pendingNew: a set-password token and its mail are made). The same request goes to the
-- baselines, which ignore it. Arguments: PATH KEY TAG [threads=N] [budget=N]. The username and
-- email are unique per run (TAG), thread and request.
dofile(os.getenv("BENCH_LUA_DIR") .. "/wrk_common.lua")

function init(args)
  local a = common_init(args)
  path, key, tag = a.pos[1], a.pos[2], a.pos[3]
  n = 0
end

function request()
  n = n + 1
  local u = string.format("w%s_%d_%d", tag, tid, n)
  local body = '{"username":"' .. u .. '","firstName":"Bench","lastName":"User","email":"' ..
               u .. '@bench.example"}'
  return wrk.format("POST", path, { ["key"] = key, ["Content-Type"] = "application/json" },
                    body)
end
