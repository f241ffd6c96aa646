-- wrk script for the portal benchmark: GET one path as signed-in (or pending) people.
-- BENCH_COOKIES names a file with one Cookie header per line; requests rotate through them
-- (each wrk thread from its own offset). Every request says it came through the TLS proxy.
-- `done` prints one JSON line that bench/report.py parses.

local cookies, paths = {}, {}
local file = os.getenv("BENCH_COOKIES")
if file and file ~= "" then
  for line in io.lines(file) do
    if #line > 0 then
      local cookie, own = line:match("^([^\t]*)\t(.*)$")
      cookies[#cookies + 1] = cookie or line
      paths[#paths + 1] = own or false
    end
  end
end

local threads = 0
function setup(thread)
  thread:set("offset", threads)
  threads = threads + 1
end

local n = 0
function init(args)
  n = (offset or 0) * 7
  wrk.headers["X-Forwarded-Proto"] = "https"
end

function request()
  n = n + 1
  if #cookies > 0 then
    local i = (n % #cookies) + 1
    wrk.headers["Cookie"] = cookies[i]
    return wrk.format("GET", paths[i] or nil)
  end
  return wrk.format("GET")
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH-JSON {"requests":%d,"duration_us":%d,"p50_us":%d,"p99_us":%d,' ..
    '"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.connect, e.read, e.write, e.status, e.timeout))
end
