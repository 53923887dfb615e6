-- Live statistics of some queues of one domain, read in one call (the wallboard's source).
-- ARGV[5]: JSON list of queue ids. Returns JSON {queue: {waiting, oldest_ms, agents = {state:
-- n}, day = {metric: n}, m15 = {...}, m30 = {...}}}.
local out = {}
for _, q in ipairs(cjson.decode(ARGV[5])) do
  local r = {waiting = redis.call('ZCARD', key('inq', q))}
  local top = redis.call('ZRANGE', key('inq', q), 0, 0, 'WITHSCORES')
  if top[2] then r.oldest_ms = top[2] end
  local agents = {}
  local kv = redis.call('HGETALL', key('qagents', q))
  for i = 1, #kv, 2 do agents[kv[i]] = tonumber(kv[i + 1]) end
  r.agents = agents
  local fields = {}
  for _, name in ipairs(METRICS) do
    fields[#fields + 1] = name .. '@d' .. DAY
    for m = MIN - 29, MIN do fields[#fields + 1] = name .. '@m' .. m end
  end
  local v = redis.call('HMGET', key('stats', q), unpack(fields))
  local day, m15, m30 = {}, {}, {}
  local i = 1
  for _, name in ipairs(METRICS) do
    day[name] = tonumber(v[i]) or 0
    local s15, s30 = 0, 0
    for j = 1, 30 do
      local x = tonumber(v[i + j]) or 0
      s30 = s30 + x
      if j > 15 then s15 = s15 + x end
    end
    m15[name], m30[name] = s15, s30
    i = i + 31
  end
  r.day, r.m15, r.m30 = day, m15, m30
  out[q] = r
end
return cjson.encode(out)
