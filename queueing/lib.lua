-- Shared helpers of the routing scripts; scripts.py puts this file in front of each entry script.
-- Every key is built from ARGV[1], the domain base "<prefix>:{<domain>}" (keys.py documents them),
-- so a script touches one Redis Cluster slot only. KEYS[1] is the domain's timers key (routing).
-- ARGV: [1] base, [2] now ms, [3] outbox lease ms, [4] day id (statistics), [5] entry argument.
local B = ARGV[1]
local NOW = tonumber(ARGV[2])
local LEASE = tonumber(ARGV[3])
local DAY = ARGV[4]
local MIN = math.floor(NOW / 60000)
local EPOCH = 1735689600000
local SCALE = 1000000000000
local PSPAN = 3000
local OUT = {}
local QC = {}
local GC = {}
local METRICS = {'offered', 'answered', 'answered_sl', 'abandoned', 'abandoned_short',
                 'wait_ms', 'handled', 'handle_ms'}

-- key('agent', id) == B .. ':agent:' .. id (no table built: this runs ~100 times a decision)
local function key(a, b, c)
  if c ~= nil then return B .. ':' .. a .. ':' .. b .. ':' .. c end
  if b ~= nil then return B .. ':' .. a .. ':' .. b end
  return B .. ':' .. a
end
local function fmt(n) return string.format('%.0f', n) end
local function rel(ms) local r = ms - EPOCH; if r < 0 then r = 0 end; return r end

local function emit(etype, call, agent, payload, ...)
  OUT[#OUT + 1] = {e = etype, c = call or '', a = agent or '', p = payload, k = {...}, ts = fmt(NOW)}
end
local function command(kind, id, args, extra)
  OUT[#OUT + 1] = {cmd = kind, id = id, args = args, x = extra}
end

local function qconf(q)
  local c = QC[q]
  if c == nil then
    local raw = redis.call('HGET', key('qconf'), q)
    if raw then c = cjson.decode(raw) else c = false end
    QC[q] = c
  end
  return c
end

local function step_at(c, wait)
  local s = 0
  for i = 2, #c.after do if wait >= c.after[i] then s = i - 1 end end
  return s
end

-- statistics: per queue, per day and per minute (tick.lua drops minutes older than an hour)
local function stat(q, metric, by)
  local h = key('stats', q)
  by = math.floor(by)
  redis.call('HINCRBY', h, metric .. '@d' .. DAY, by)
  redis.call('HINCRBY', h, metric .. '@m' .. MIN, by)
end

local function stats_gc(q)
  local h = key('stats', q)
  local st = redis.call('HMGET', h, 'gc', 'day')
  local gc = tonumber(st[1])
  if gc and gc < MIN then
    local fields = {}
    for m = math.max(gc - 60, MIN - 120), MIN - 61 do
      for _, name in ipairs(METRICS) do fields[#fields + 1] = name .. '@m' .. m end
    end
    if #fields > 0 then redis.call('HDEL', h, unpack(fields)) end
  end
  if st[2] and st[2] ~= DAY then
    local fields = {}
    for _, name in ipairs(METRICS) do fields[#fields + 1] = name .. '@d' .. st[2] end
    redis.call('HDEL', h, unpack(fields))
  end
  redis.call('HSET', h, 'gc', MIN, 'day', DAY)
end

-- an agent's eligibility: {queue, earliest step, level sum, strategy letter, number of steps}
local ELIG = {}
local function elig_of(s)
  if s and ELIG[s] then return ELIG[s] end
  local out = {}
  if s then
    ELIG[s] = out
    for q, e, l, st, n in string.gmatch(s, '([^|;]+)|(%d+)|(%d+)|(%a)|(%d+)') do
      out[#out + 1] = {q, tonumber(e), tonumber(l), st, tonumber(n)}
    end
  end
  return out
end

local function ready_score(strategy, q, aid, lsum, ready_at)
  if strategy == 'm' then
    local l = lsum
    if l > 999 then l = 999 end
    return (999 - l) * SCALE + rel(ready_at)
  elseif strategy == 'r' then
    local last = redis.call('HGET', key('rr', q), aid)
    if last then return tonumber(last) end
    return 0
  end
  return rel(ready_at)
end

-- change an agent's state: ready indexes, per-queue counters, the agent.state event
local function set_state(aid, new, reason, call)
  local ak = key('agent', aid)
  local a = redis.call('HMGET', ak, 'state', 'elig', 'ready_at', 'reason')
  local old = a[1] or 'logged_out'
  if old == new and (a[4] or '') == (reason or '') and new ~= 'ready' then return end
  local el = elig_of(a[2])
  if old == 'ready' and new ~= 'ready' then
    for _, x in ipairs(el) do redis.call('ZREM', key('ready', x[1], x[2]), aid) end
  end
  if new == 'ready' then
    local ready_at = NOW
    if old == 'ready' and a[3] then ready_at = tonumber(a[3]) end
    for _, x in ipairs(el) do
      redis.call('ZADD', key('ready', x[1], x[2]), fmt(ready_score(x[4], x[1], aid, x[3], ready_at)), aid)
    end
    redis.call('HSET', ak, 'ready_at', fmt(ready_at))
    if old == 'ready' then return end
  end
  if old ~= new then
    for _, x in ipairs(el) do
      if x[2] == 0 then -- counted for the queues the agent serves from their first step
        local h = key('qagents', x[1])
        if old ~= 'logged_out' then redis.call('HINCRBY', h, old, -1) end
        if new ~= 'logged_out' then redis.call('HINCRBY', h, new, 1) end
      end
    end
  end
  local seq = redis.call('HINCRBY', ak, 'seq', 1)
  redis.call('HSET', ak, 'state', new, 'reason', reason or '', 'since', fmt(NOW))
  emit('agent.state', call, aid, {state = new, reason = reason, previous = old, seq = seq}, aid, 'state', seq)
end

-- the best ready agent for a call of queue q at escalation step `step`
local function find_agent(q, step)
  local best, bestscore, n = nil, nil, 0
  for e = 0, step do
    local zk = key('ready', q, e)
    local top = redis.call('ZRANGE', zk, 0, 0, 'WITHSCORES')
    if top[1] then
      n = n + redis.call('ZCARD', zk)
      local s = tonumber(top[2])
      if best == nil or s < bestscore or (s == bestscore and top[1] < best) then
        best, bestscore = top[1], s
      end
    end
  end
  return best, n
end

-- the best waiting call, across every queue and step, for an agent with eligibility `el`
local function find_call(el)
  local best, bq, bs, bestscore, n = nil, nil, nil, nil, 0
  for _, x in ipairs(el) do
    local q = x[1]
    for s = x[2], x[5] - 1 do
      local top = redis.call('ZRANGE', key('wait', q, s), 0, 0, 'WITHSCORES')
      if top[1] then
        local sc = tonumber(top[2])
        if best == nil or sc < bestscore or (sc == bestscore and top[1] < best) then
          best, bq, bs, bestscore = top[1], q, s, sc
        end
      end
    end
  end
  if best then n = redis.call('ZCARD', key('wait', bq, bs)) end
  return best, bq, bs, n
end

-- offer a call to an agent; `waiting`: the call sits in its wait set (else it is being placed)
local function offer(cid, aid, q, step, rule, candidates, trigger, waiting)
  local ck = key('call', cid)
  local c = qconf(q)
  local n = redis.call('HINCRBY', ck, 'offers', 1)
  local info = redis.call('HMGET', ck, 'arrived', 'number')
  if waiting then
    redis.call('ZREM', key('wait', q, step), cid)
    redis.call('ZREM', key('timers'), 'esc|' .. cid)
  end
  redis.call('HSET', ck, 'state', 'offered', 'agent', aid, 'step', step)
  if c.strategy == 'round_robin' then redis.call('HSET', key('rr', q), aid, fmt(rel(NOW))) end
  set_state(aid, 'offered', nil, cid)
  redis.call('HSET', key('agent', aid), 'call', cid, 'queue', q)
  local wait_ms = NOW - tonumber(info[1])
  emit('call.offered', cid, aid, {queue = q, offer = n, step = step, rule = rule,
       trigger = trigger, candidates = candidates, wait_ms = fmt(wait_ms)}, cid, 'offered', n)
  local ring = c.ring
  if info[2] and info[2] ~= '' then
    command('originate', cid .. '|originate|' .. n, {call_id = cid, agent_id = aid, number = info[2]})
    ring = ring + c.orig
  else
    command('connect', cid .. '|connect|' .. n, {call_id = cid, agent_id = aid})
  end
  redis.call('ZADD', key('timers'), fmt(NOW + ring), 'ring|' .. cid .. '|' .. n)
end

-- put a call (back) in its queue at the step its wait has reached, or offer it at once
local function place(cid, q, trigger)
  local ck = key('call', cid)
  local info = redis.call('HMGET', ck, 'arrived', 'score')
  local arrived = tonumber(info[1])
  local c = qconf(q)
  local step = step_at(c, NOW - arrived)
  local aid, n = find_agent(q, step)
  if aid then
    offer(cid, aid, q, step, c.strategy, n, trigger, false)
    return
  end
  redis.call('HSET', ck, 'state', 'waiting', 'agent', '', 'step', step)
  redis.call('ZADD', key('wait', q, step), info[2], cid)
  if step + 1 < #c.after then
    redis.call('ZADD', key('timers'), fmt(arrived + c.after[step + 2]), 'esc|' .. cid)
  end
end

local function seek_call(aid)
  local el = elig_of(redis.call('HGET', key('agent', aid), 'elig'))
  local cid, q, s, n = find_call(el)
  if cid then offer(cid, aid, q, s, 'priority_then_wait', n, 'agent_ready', true) end
end

-- handle time (talk + wrap-up) of the agent's last call, counted when wrap-up ends
local function finish_handle(aid)
  local ak = key('agent', aid)
  local a = redis.call('HMGET', ak, 'talk_from', 'queue')
  if a[1] and a[1] ~= '' and a[2] and a[2] ~= '' then
    stat(a[2], 'handled', 1)
    stat(a[2], 'handle_ms', NOW - tonumber(a[1]))
  end
  redis.call('HSET', ak, 'talk_from', '', 'call', '', 'wrap_until', '')
  redis.call('ZREM', key('timers'), 'wrap|' .. aid)
end

local function make_ready(aid)
  set_state(aid, 'ready', nil, nil)
  seek_call(aid)
end

local function wrap(aid, q)
  local c = false
  if q and q ~= '' then c = qconf(q) end
  if c and c.wrap > 0 then
    set_state(aid, 'wrap_up', nil, nil)
    redis.call('HSET', key('agent', aid), 'wrap_until', fmt(NOW + c.wrap))
    redis.call('ZADD', key('timers'), fmt(NOW + c.wrap), 'wrap|' .. aid)
  else
    finish_handle(aid)
    make_ready(aid)
  end
end

local function tombstone(ck)
  redis.call('HSET', ck, 'state', 'ended')
  redis.call('EXPIRE', ck, 3600)
end

local function finish(res)
  res = res or {}
  if #OUT > 0 then
    local id = redis.call('INCR', key('seq'))
    local data = cjson.encode(OUT)
    redis.call('ZADD', key('outbox'), fmt(NOW + LEASE), id)
    redis.call('HSET', key('outboxd'), id, data)
    res.o = tostring(id)
    res.fx = data
  end
  return cjson.encode(res)
end
