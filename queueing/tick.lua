-- Fire the domain's due timers (escalation, ring timeout, end of wrap-up, announcements) and
-- take over outbox entries whose lease ran out (their router died before publishing them).
-- ARGV[5]: at most this many timers and as many outbox entries. Returns JSON
-- {o, fx, rec = [[outbox id, effects JSON], ...], next = ms of the next due timer or nil}.
local limit = tonumber(ARGV[5])

local function escalate(cid)
  local ci = call(cid)
  if ci.state ~= 'waiting' then return end
  zrem(key('wait', ci.queue, ci.step), cid)
  place(cid, ci.queue, 'escalation')
end

local function ring_timeout(cid, n)
  local ck = key('call', cid)
  local ci = rec(ck, CALL_FIELDS)
  if ci.state ~= 'offered' or ci.offers ~= n then return end
  local aid = ci.agent
  put(ck, 'state', 'waiting', 'agent', '')
  if agent(aid).call == cid then
    set_state(aid, 'not_ready', 'rona', cid, false, 'call', '')
    emit('agent.rona', cid, aid, {queue = ci.queue, offer = tonumber(n)}, aid, 'rona', cid, n)
  end
  if not (ci.number and ci.number ~= '') or ci.live == '1' then -- (else: still being dialled)
    command('return_to_hold', cid .. '|return_to_hold|' .. n, {call_id = cid})
  end
  place(cid, ci.queue, 'requeue')
end

local function wrap_end(aid)
  local a = agent(aid)
  if a.state ~= 'wrap_up' or (tonumber(a.wrap_until) or 0) > NOW then return end
  finish_handle(aid)
  make_ready(aid)
end

local function announce(cid)
  local ck = key('call', cid)
  local ci = rec(ck, CALL_FIELDS)
  if ci.state ~= 'waiting' then return end
  local q = ci.queue
  local c = qconf(q)
  local ahead = 0
  for s = 0, #c.after - 1 do
    ahead = ahead + redis.call('ZCOUNT', key('wait', q, s), '-inf', '(' .. ci.score)
  end
  flush_counters() -- the counters below include this script's changes
  local qa = redis.call('HMGET', key('qagents', q), 'ready', 'offered', 'on_call', 'wrap_up')
  local agents = 0
  for _, v in ipairs(qa) do agents = agents + (tonumber(v) or 0) end
  local fields = {}
  for m = MIN - 29, MIN do
    fields[#fields + 1] = 'handled@m' .. m
    fields[#fields + 1] = 'handle_ms@m' .. m
  end
  local hv = redis.call('HMGET', key('stats', q), unpack(fields))
  local handled, handle_ms = 0, 0
  for i = 1, #hv, 2 do
    handled = handled + (tonumber(hv[i]) or 0)
    handle_ms = handle_ms + (tonumber(hv[i + 1]) or 0)
  end
  local seq = (tonumber(ci.ann) or 0) + 1
  put(ck, 'ann', seq)
  command('announce', cid .. '|announce|' .. seq, {call_id = cid, position = ahead + 1},
          {agents = agents, handled = handled, handle_ms = handle_ms})
  redis.call('ZADD', key('timers'), fmt(NOW + c.ann), 'ann|' .. cid)
end

local due = redis.call('ZRANGEBYSCORE', key('timers'), '-inf', fmt(NOW), 'LIMIT', 0, limit)
for _, member in ipairs(due) do
  redis.call('ZREM', key('timers'), member)
  local kind, rest = string.match(member, '^(%a+)|(.*)$')
  if kind == 'esc' then escalate(rest)
  elseif kind == 'ring' then
    local cid, n = string.match(rest, '^(.*)|(%d+)$')
    ring_timeout(cid, n)
  elseif kind == 'wrap' then wrap_end(rest)
  elseif kind == 'ann' then announce(rest)
  end
end

-- once a minute: drop statistics older than an hour
local gcmin = tonumber(redis.call('GET', key('statgc')) or 0)
if gcmin < MIN then
  redis.call('SET', key('statgc'), MIN)
  for _, q in ipairs(redis.call('HKEYS', key('qconf'))) do stats_gc(q) end
end

local rec = {}
local expired = redis.call('ZRANGEBYSCORE', key('outbox'), '-inf', fmt(NOW), 'LIMIT', 0, limit)
for _, id in ipairs(expired) do
  local data = redis.call('HGET', key('outboxd'), id)
  if data then
    redis.call('ZADD', key('outbox'), fmt(NOW + LEASE), id)
    rec[#rec + 1] = {id, data}
  else
    redis.call('ZREM', key('outbox'), id)
  end
end
local res = {rec = rec}
local nxt = redis.call('ZRANGE', key('timers'), 0, 0, 'WITHSCORES')
if nxt[2] then res.next = nxt[2] end
return finish(res)
