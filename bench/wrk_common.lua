-- wrk_common.lua: what every wrk script of the bench shares, loaded with dofile() by each.
-- Counts answers that are not a success (a SOAJS error is HTTP 200 with "result":false, so the
-- status alone proves nothing), stops a thread after its share of a request budget, and prints
-- one machine-readable line for bench.py. Arguments after "--": the script's own, then
-- "budget=N" (optional: total requests over all threads).
-- A stopped thread does not end wrk: its main thread sleeps out the whole -d duration. So a
-- thread that has spent its budget also leaves a file named after it in $BENCH_DONE_DIR; once
-- every thread has, bench.py sends wrk SIGINT, which ends the sleep and prints the summary.

threads = {}
local nthreads = 0

function setup(thread)
  nthreads = nthreads + 1
  thread:set("tid", nthreads)
  table.insert(threads, thread)
end

-- the arguments as a table: positional ones in order, key=value ones by key
function parse_args(args)
  local t = { pos = {} }
  for _, a in ipairs(args) do
    local k, v = a:match("^(%w+)=(.*)$")
    if k then t[k] = v else table.insert(t.pos, a) end
  end
  return t
end

bad = 0
answered = 0
budget = nil

function common_init(args)
  local a = parse_args(args)
  if a.budget then budget = math.ceil(tonumber(a.budget) / tonumber(a.threads or 1)) end
  return a
end

-- counts one answer that is not what the script expects, and shows the first three
function unexpected(status, body)
  bad = bad + 1
  if bad <= 3 then io.stderr:write("wrk: unexpected answer " .. status .. ": " ..
                                   body:sub(1, 200) .. "\n") end
end

function response(status, headers, body)
  answered = answered + 1
  if status ~= 200 or not body:find('"result":true', 1, true) then unexpected(status, body) end
  spent()
end

-- called after each answer: stops this thread once its share of the budget is answered
function spent()
  if not budget or answered < budget or stopped then return end
  stopped = true
  local dir = os.getenv("BENCH_DONE_DIR")
  if dir then
    local f = io.open(dir .. "/" .. tid, "w")
    if f then f:close() end
  end
  wrk.thread:stop()
end

function done(summary, latency, requests)
  local nbad = 0
  for _, t in ipairs(threads) do nbad = nbad + (t:get("bad") or 0) end
  local e = summary.errors
  io.write(string.format(
    'BENCH {"requests":%d,"duration_us":%d,"p50_us":%d,"p90_us":%d,"p99_us":%d,' ..
    '"max_us":%d,"mean_us":%.1f,"bad":%d,"connect":%d,"read":%d,"write":%d,' ..
    '"status":%d,"timeout":%d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max, latency.mean, nbad, e.connect, e.read, e.write,
    e.status, e.timeout))
end
