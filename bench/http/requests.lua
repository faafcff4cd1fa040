-- wrk script for the HTTP load benchmark (bench/http/load.py runs it).
--
--   wrk -t T -c C -d D -s bench/http/requests.lua URL -- get PATH [TOKENS_FILE] T
--   wrk ... -- attempt FILE T     lines: token<TAB>challenge[<TAB>flag]  (no flag: a wrong one)
--   wrk ... -- unlock FILE T      lines: token<TAB>hint
--
-- The last argument is wrk's thread count (-t). Thread i of T takes lines i+1, i+1+T, ... of the
-- file, so no two threads send the same line; a thread that has used all of its lines starts
-- again and counts it as "wrapped" (for correct flags and unlocks that means repeated requests,
-- which the report flags). All requests are formatted in init, before the clock starts.
-- done() prints one line, "WRK_JSON {...}", with the counts and latency percentiles (µs).

local counter = 0
local threads = {}

function setup(thread)
   thread:set("id", counter)
   counter = counter + 1
   table.insert(threads, thread)
end

local requests = {}
local position = 0
wrapped = 0

local function split(line)
   local fields = {}
   for field in string.gmatch(line, "[^\t]+") do
      table.insert(fields, field)
   end
   return fields
end

local function read_lines(path, thread_id, thread_count)
   local lines = {}
   local number = 0
   local file = assert(io.open(path, "r"))
   for line in file:lines() do
      if number % thread_count == thread_id and line ~= "" then
         table.insert(lines, split(line))
      end
      number = number + 1
   end
   file:close()
   return lines
end

local function authorised(token, extra)
   local headers = { ["Authorization"] = "Token " .. token }
   for key, value in pairs(extra or {}) do
      headers[key] = value
   end
   return headers
end

function init(args)
   local mode = args[1]
   local thread_count = tonumber(args[#args])
   if mode == "get" then
      local path = args[2]
      if #args > 3 then
         for _, fields in ipairs(read_lines(args[3], id, thread_count)) do
            table.insert(requests, wrk.format("GET", path, authorised(fields[1])))
         end
      else
         table.insert(requests, wrk.format("GET", path, {}))
      end
   elseif mode == "attempt" then
      for index, fields in ipairs(read_lines(args[2], id, thread_count)) do
         local flag = fields[3] or string.format("bench{wrong-%d-%d}", id, index)
         local body = string.format('{"flag": "%s"}', flag)
         local headers = authorised(fields[1], { ["Content-Type"] = "application/json" })
         table.insert(requests, wrk.format("POST", "/api/challenges/" .. fields[2] .. "/attempts", headers, body))
      end
   elseif mode == "unlock" then
      for _, fields in ipairs(read_lines(args[2], id, thread_count)) do
         table.insert(requests, wrk.format("POST", "/api/hints/" .. fields[2] .. "/unlock", authorised(fields[1])))
      end
   else
      error("unknown mode " .. tostring(mode))
   end
   if #requests == 0 then
      error("no requests for thread " .. id)
   end
end

function request()
   position = position + 1
   if position > #requests then
      position = 1
      wrapped = wrapped + 1
   end
   return requests[position]
end

function done(summary, latency, requests)
   local total_wrapped = 0
   for _, thread in ipairs(threads) do
      total_wrapped = total_wrapped + (thread:get("wrapped") or 0)
   end
   local errors = summary.errors
   io.write(string.format(
      'WRK_JSON {"requests": %d, "duration_us": %d, "bytes": %d, "connect_errors": %d, "read_errors": %d, '
         .. '"write_errors": %d, "status_errors": %d, "timeouts": %d, "p50_us": %d, "p90_us": %d, "p99_us": %d, '
         .. '"max_us": %d, "mean_us": %.1f, "wrapped": %d}\n',
      summary.requests, summary.duration, summary.bytes, errors.connect, errors.read, errors.write,
      errors.status, errors.timeout, latency:percentile(50), latency:percentile(90), latency:percentile(99),
      latency.max, latency.mean, total_wrapped
   ))
end
