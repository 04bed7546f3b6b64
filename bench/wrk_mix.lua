-- wrk_mix.lua: the memory run. Requests taken in turn from the table `mix` of the file named
-- by argument 1 (written by bench.py): every executable of the service gets work, on success
-- and error paths. "{U}" in a path or body is replaced by a token unique per run, thread and
-- request. An answer counts as expected when its status and a marker match one of the
-- entries' (answers cannot be matched to their request: connections interleave).
-- Arguments: MIXFILE TAG [threads=N] [budget=N].
dofile(os.getenv("BENCH_LUA_DIR") .. "/wrk_common.lua")

function init(args)
  local a = common_init(args)
  dofile(a.pos[1])
  tag = a.pos[2]
  n = 0
end

function request()
  n = n + 1
  local e = mix[(n - 1) % #mix + 1]
  local u = string.format("m%s_%d_%d", tag, tid, n)
  local path = e.path:gsub("{U}", u)
  local body = e.body and e.body:gsub("{U}", u) or nil
  return wrk.format(e.method, path, e.headers, body)
end

function response(status, headers, body)
  answered = answered + 1
  local ok = false
  for _, e in ipairs(mix) do
    if status == e.status and body:find(e.ok, 1, true) then ok = true break end
  end
  if not ok then unexpected(status, body) end
  spent()
end
