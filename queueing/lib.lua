-- Shared helpers of the routing scripts; scripts.py puts this file in front of each entry script.
-- Every key is built from ARGV[1], the domain base "<prefix>:{<domain>}" (keys.py documents them),
-- so a script touches one Redis Cluster slot only. KEYS[1] is the domain's timers key (routing).
-- ARGV: [1] base, [2] now ms, [3] outbox lease ms, [4] day id (statistics), [5] entry argument,
-- [6] now as an ISO 8601 UTC timestamp (the events' ts), [7] (publishing in the script only) the
-- routers' consumer group. Publishing in the script (single Redis only: routing.py): KEYS[2] and
-- KEYS[3] are the event and command streams, and finish appends the effects to them itself.
--
-- Cost model (bench/routing.py, perf): a script's time goes to its redis.call()s (each also
-- converts its arguments and reply) and to what Lua allocates (tables, strings: malloc and the
-- garbage collector). So a batch of ops reads each agent and call hash once (rec: one HMGET),
-- writes it once (put, flushed by finish), adds counters up in Lua (incr, count_state: one
-- HINCRBY per changed counter and batch), reads the head of each ready / wait set once (zhead),
-- and an agent who becomes ready while calls wait takes one without entering the ready sets.
local B = ARGV[1]
local NOW = tonumber(ARGV[2])
local LEASE = tonumber(ARGV[3])
local DAY = ARGV[4]
local NOWS = string.format('%d', NOW)
local MIN = math.floor(NOW / 60000)
local EPOCH = 1735689600000
local SCALE = 1000000000000
local PSPAN = 3000
local TS = ARGV[6]
local EV, CMD, FX = {}, {}, {}
local QC = {}
local METRICS = {'offered', 'answered', 'answered_sl', 'abandoned', 'abandoned_short',
                 'wait_ms', 'handled', 'handle_ms'}

-- key('agent', id) == B .. ':agent:' .. id (no table built: this runs often)
local function key(a, b, c)
  if c ~= nil then return B .. ':' .. a .. ':' .. b .. ':' .. c end
  if b ~= nil then return B .. ':' .. a .. ':' .. b end
  return B .. ':' .. a
end
-- an integer as Redis reads it ('%d': C's integer formatting, much cheaper than '%.0f')
local function fmt(n) return string.format('%d', math.floor(n + 0.5)) end
-- key names built once per script: KC.ready[q][step] == key('ready', q, step)
local KC = {ready = {}, wait = {}, qagents = {}, agent = {}, call = {}, rr = {}, inq = {}, stats = {}}
local function kq(kind, q, step)
  local t = KC[kind][q]
  if t == nil then t = {}; KC[kind][q] = t end
  local k = t[step]
  if k == nil then k = key(kind, q, step); t[step] = k end
  return k
end
local function k1(kind, id)
  local k = KC[kind][id]
  if k == nil then k = key(kind, id); KC[kind][id] = k end
  return k
end
local KT = key('timers')
local function rel(ms) local r = ms - EPOCH; if r < 0 then r = 0 end; return r end

-- the ready and wait sets, whose first entry matching reads: their head (first member and
-- score, false when empty) and size are cached for the script and kept up to date by zadd and
-- zrem, so the agents of one batch who look at the same queues read each set once
local HEAD, CARD = {}, {}
local function before(score, member, other_score, other_member) -- Redis's order of a sorted set
  return score < other_score or (score == other_score and member < other_member)
end
local function zhead(k)
  local h = HEAD[k]
  if h == nil then
    local top = redis.call('ZRANGE', k, 0, 0, 'WITHSCORES')
    if top[1] then h = {top[1], tonumber(top[2])} else h = false; CARD[k] = 0 end
    HEAD[k] = h
  end
  return h
end
local function zcard(k)
  local n = CARD[k]
  if n == nil then
    n = redis.call('ZCARD', k)
    CARD[k] = n
  end
  return n
end
local function zadd(k, score, member) -- score: a string, as Redis reads it
  local added = redis.call('ZADD', k, score, member)
  if CARD[k] then CARD[k] = CARD[k] + added end
  local h = HEAD[k]
  if h ~= nil then
    local sc = tonumber(score)
    if h == false or before(sc, member, h[2], h[1]) then HEAD[k] = {member, sc}
    elseif h[1] == member then HEAD[k] = nil end
  end
end
local function zrem(k, member)
  local removed = redis.call('ZREM', k, member)
  if removed > 0 then
    if CARD[k] then CARD[k] = CARD[k] - removed end
    local h = HEAD[k]
    if h and h[1] == member then HEAD[k] = nil end
  end
end

-- hashes read once and written once per script: rec(k, fields) is the hash's fields (strings, as
-- Redis returns them; nil when missing), put(k, f, v, ...) changes them; flush() writes every
-- changed hash with one HSET, then runs the EXPIREs that later() queued. A hash is always read
-- through one field list (AGENT_FIELDS, CALL_FIELDS) before put changes it.
local AGENT_FIELDS = {'state', 'reason', 'elig', 'ready_at', 'seq', 'call', 'queue', 'talk_from',
                      'wrap_until', 'idx', 'back_reason', 'dial', 'dial_until'}
local CALL_FIELDS = {'state', 'queue', 'agent', 'arrived', 'score', 'prio', 'step', 'offers',
                     'number', 'tier', 'fails', 'ann', 'origin', 'live', 'day'}
local REC, DIRTY, DIRTY_KEYS, LATER = {}, {}, {}, {}
local function rec(k, fields)
  local r = REC[k]
  if r == nil then
    r = {}
    local v = redis.call('HMGET', k, unpack(fields))
    for i = 1, #fields do if v[i] then r[fields[i]] = v[i] end end
    REC[k] = r
  end
  return r
end
local function fresh(k) -- true (and an empty record) when the hash does not exist
  if REC[k] ~= nil then return next(REC[k]) == nil end
  if redis.call('EXISTS', k) == 1 then return false end
  REC[k] = {}
  return true
end
local function put(k, ...)
  local r = REC[k]
  if r == nil then error('put before rec: ' .. k) end
  local d = DIRTY[k]
  if d == nil then
    d = {}
    DIRTY[k] = d
    DIRTY_KEYS[#DIRTY_KEYS + 1] = k
  end
  local a, n = {...}, select('#', ...) -- one table: select(i, ...) in the loop copies them all
  for i = 1, n, 2 do
    local f, v = a[i], a[i + 1]
    if type(v) == 'number' then v = fmt(v) elseif v == nil then v = '' end
    r[f] = v
    d[f] = true
  end
end
local function drop(k) -- delete the hash now (its pending changes with it)
  redis.call('DEL', k)
  REC[k] = {}
  DIRTY[k] = nil
end
local function later(cmd, k, arg) LATER[#LATER + 1] = {cmd, k, arg} end

-- counters added up in the script, one HINCRBY per changed field when flushed
local CNT, CNT_KEYS = {}, {}
local function incr(h, f, by)
  local t = CNT[h]
  if t == nil then
    t = {}
    CNT[h] = t
    CNT_KEYS[#CNT_KEYS + 1] = h
  end
  t[f] = (t[f] or 0) + by
end
-- agents by state per queue: changes are added up per eligibility string (the same for every
-- change of one agent) and spread over its queues once, when flushed
local ECNT, ECNT_KEYS = {}, {}
local function count_state(elig, state, by)
  if elig == nil or state == 'logged_out' then return end
  local t = ECNT[elig]
  if t == nil then
    t = {}
    ECNT[elig] = t
    ECNT_KEYS[#ECNT_KEYS + 1] = elig
  end
  t[state] = (t[state] or 0) + by
end
local elig_of
local function flush_counters()
  for _, elig in ipairs(ECNT_KEYS) do
    local el = elig_of(elig)
    for state, by in pairs(ECNT[elig]) do
      if by ~= 0 then
        for i = 1, #el, 5 do -- counted for the queues the agent serves from their first step
          if el[i + 1] == 0 then incr(k1('qagents', el[i]), state, by) end
        end
      end
    end
  end
  ECNT, ECNT_KEYS = {}, {}
  for _, h in ipairs(CNT_KEYS) do
    for f, v in pairs(CNT[h]) do
      if v ~= 0 then redis.call('HINCRBY', h, f, fmt(v)) end
    end
  end
  CNT, CNT_KEYS = {}, {}
end

local function flush()
  flush_counters()
  for _, k in ipairs(DIRTY_KEYS) do
    local d = DIRTY[k]
    if d then
      local r, args = REC[k], {}
      for f in pairs(d) do
        args[#args + 1] = f
        args[#args + 1] = r[f]
      end
      redis.call('HSET', k, unpack(args))
    end
  end
  DIRTY, DIRTY_KEYS = {}, {}
  for _, x in ipairs(LATER) do redis.call(x[1], x[2], x[3]) end
  LATER = {}
end

local function agent(aid) return rec(k1('agent', aid), AGENT_FIELDS) end
local function call(cid) return rec(k1('call', cid), CALL_FIELDS) end

-- effects, kept in the outbox and published by routing.py as they are: events and commands as
-- stream entries (flat field, value lists, the fields of kernel.events / kernel.commands),
-- and the few effects Python completes (announce: expected wait) as effects.py describes them.
-- An event's id is deterministic, so an entry published twice gives the same ids: its parts
-- joined by '|' (e.g. "c1|offered|2"), or when that is long its first part, ':' and 20 hex digits
-- of the SHA-1 of the joined parts.
local function emit(etype, cid, aid, payload, ...)
  local parts = {...}
  local eid = table.concat(parts, '|')
  if #eid > 100 then
    eid = string.sub(tostring(parts[1]), 1, 40) .. ':' .. string.sub(redis.sha1hex(eid), 1, 20)
  end
  EV[#EV + 1] = {'id', eid, 'ts', TS, 'type', etype, 'call_id', cid or '', 'agent_id', aid or '',
                 'payload', cjson.encode(payload)}
end
local function command(kind, id, args, extra)
  if extra then
    FX[#FX + 1] = {cmd = kind, id = id, args = args, x = extra}
  else
    CMD[#CMD + 1] = {'id', id, 'kind', kind, 'args', cjson.encode(args)}
  end
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
local SF = {} -- metric -> its day and minute field names
local function stat(q, metric, by)
  local h = k1('stats', q)
  local f = SF[metric]
  if f == nil then
    f = {metric .. '@d' .. DAY, metric .. '@m' .. MIN}
    SF[metric] = f
  end
  by = math.floor(by)
  incr(h, f[1], by)
  incr(h, f[2], by)
end

-- a call's outcome (answered, abandoned, its waits and handle time) counts in the minute and day
-- the call arrived, as in the reports (reports/definitions.py), so a period never shows more
-- answered than offered; a minute already dropped, or another day, is not counted again
local function stat_arrived(q, metric, by, ci)
  local arrived = tonumber(ci.arrived)
  if arrived == nil then return stat(q, metric, by) end
  local h = k1('stats', q)
  by = math.floor(by)
  if (ci.day or DAY) == DAY then incr(h, metric .. '@d' .. DAY, by) end
  local m = math.floor(arrived / 60000)
  if m > MIN then m = MIN end
  if m > MIN - 60 then incr(h, metric .. '@m' .. m, by) end
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

-- an agent's eligibility, flat: queue, earliest step, level sum, strategy letter, number of
-- steps, then the next queue's five (one table per agent: tables are what Lua pays for here).
-- Stored as that JSON list (rules.encode_eligibility); the text form of agents logged in before
-- ("q|step|sum|s|steps;...") is still read.
local ELIG = {}
elig_of = function(s)
  if s == nil then return {} end
  local out = ELIG[s]
  if out then return out end
  if string.byte(s, 1) == 91 then -- '['
    out = cjson.decode(s)
    ELIG[s] = out
    return out
  end
  out = {}
  ELIG[s] = out
  local n = 0
  for q, e, l, st, steps in string.gmatch(s, '([^|;]+)|(%d+)|(%d+)|(%a)|(%d+)') do
    out[n + 1], out[n + 2], out[n + 3], out[n + 4], out[n + 5] = q, tonumber(e), tonumber(l), st, tonumber(steps)
    n = n + 5
  end
  return out
end

local function ready_score(strategy, q, aid, lsum, ready_at)
  if strategy == 'm' then
    local l = lsum
    if l > 999 then l = 999 end
    return (999 - l) * SCALE + rel(ready_at)
  elseif strategy == 'r' then
    local last = redis.call('HGET', k1('rr', q), aid)
    if last then return tonumber(last) end
    return 0
  end
  return rel(ready_at)
end

-- a ready agent is *indexed* (field idx = 1) in the ready set of each queue it may serve, at its
-- earliest step; one who takes a waiting call the moment it becomes ready is never indexed
local function index(aid, el, ready_at)
  for i = 1, #el, 5 do
    local q = el[i]
    zadd(kq('ready', q, el[i + 1]), fmt(ready_score(el[i + 3], q, aid, el[i + 2], ready_at)), aid)
  end
end
local function unindex(aid, el)
  for i = 1, #el, 5 do zrem(kq('ready', el[i], el[i + 1]), aid) end
end

-- change an agent's state: ready indexes, per-queue counters, the agent.state event; the extra
-- field/value pairs are written to the agent's hash too (whether or not the state changed).
-- `unindexed`: becoming ready to take a call at once (make_ready), so not indexed.
local function set_state(aid, new, reason, cid, unindexed, ...)
  local ak = k1('agent', aid)
  local a = rec(ak, AGENT_FIELDS)
  local old = a.state or 'logged_out'
  if old == new and (a.reason or '') == (reason or '') and new ~= 'ready' then
    if select('#', ...) > 0 then put(ak, ...) end
    return
  end
  if new == 'ready' then
    local ready_at = NOW
    if old == 'ready' and a.ready_at then ready_at = tonumber(a.ready_at) end
    if not unindexed then
      index(aid, elig_of(a.elig), ready_at)
      put(ak, 'idx', '1')
    end
    put(ak, 'ready_at', ready_at)
    if old == 'ready' then
      if select('#', ...) > 0 then put(ak, ...) end
      return
    end
  elseif a.idx == '1' or (a.idx == nil and old == 'ready') then
    unindex(aid, elig_of(a.elig))
    put(ak, 'idx', '0')
  end
  if old ~= new then
    count_state(a.elig, old, -1)
    count_state(a.elig, new, 1)
  end
  local seq = (tonumber(a.seq) or 0) + 1
  local seqs = fmt(seq) -- numbers joined into strings would be formatted as floats each time
  put(ak, 'state', new, 'reason', reason or '', 'since', NOWS, 'seq', seqs, ...)
  emit('agent.state', cid, aid, {state = new, reason = reason, previous = old, seq = seq}, aid, 'state', seqs)
end

-- the best ready agent for a call of queue q at escalation step `step`, and how many there are
local function find_agent(q, step)
  local best, bestscore, n = nil, nil, 0
  for e = 0, step do
    local zk = kq('ready', q, e)
    local h = zhead(zk)
    if h then
      n = n + zcard(zk)
      if best == nil or before(h[2], h[1], bestscore, best) then best, bestscore = h[1], h[2] end
    end
  end
  return best, n
end

-- the best waiting call, across every queue and step, for an agent with eligibility `el`: its
-- id, queue, step and the number of calls waiting there
local function find_call(el)
  local wk = el.wk -- the wait sets the agent may take calls from: key, queue, step, key, ...
  if wk == nil then
    wk = {}
    for i = 1, #el, 5 do
      for s = el[i + 1], el[i + 4] - 1 do
        wk[#wk + 1], wk[#wk + 2], wk[#wk + 3] = kq('wait', el[i], s), el[i], s
      end
    end
    el.wk = wk
  end
  local unknown
  for i = 1, #wk, 3 do
    local k = wk[i]
    if HEAD[k] == nil and not (CARD[k] and CARD[k] > 0) then -- (a set known not empty: no need)
      if unknown == nil then unknown = {} end
      unknown[#unknown + 1] = k
    end
  end
  -- one EXISTS over the sets not read yet: when no call waits (agents idle), that is all
  if unknown and redis.call('EXISTS', unpack(unknown)) == 0 then
    for _, k in ipairs(unknown) do HEAD[k], CARD[k] = false, 0 end
  end
  local best, bi, bestscore = nil, nil, nil
  for i = 1, #wk, 3 do
    local h = zhead(wk[i])
    if h and (best == nil or before(h[2], h[1], bestscore, best)) then
      best, bi, bestscore = h[1], i, h[2]
    end
  end
  if best then return best, wk[bi + 1], wk[bi + 2], zcard(wk[bi]) end
  return nil, nil, nil, 0
end

-- offer a call to an agent; `waiting`: the call sits in its wait set (else it is being placed)
local function offer(cid, aid, q, step, rule, candidates, trigger, waiting)
  local ck = k1('call', cid)
  local c = qconf(q)
  local ci = rec(ck, CALL_FIELDS)
  local n = (tonumber(ci.offers) or 0) + 1
  local ns = fmt(n)
  if waiting then
    zrem(kq('wait', q, step), cid)
    if step + 1 < #c.after then redis.call('ZREM', KT, 'esc|' .. cid) end -- see place
  end
  put(ck, 'offers', ns, 'state', 'offered', 'agent', aid, 'step', step)
  if c.strategy == 'round_robin' then redis.call('HSET', k1('rr', q), aid, fmt(rel(NOW))) end
  set_state(aid, 'offered', nil, cid, false, 'call', cid, 'queue', q)
  local wait_ms = NOW - tonumber(ci.arrived)
  local origin = ci.origin
  if origin == '' then origin = nil end
  emit('call.offered', cid, aid, {queue = q, offer = n, step = step, rule = rule,
       trigger = trigger, candidates = candidates, wait_ms = wait_ms, origin_call_id = origin},
       cid, 'offered', ns)
  -- telephony dials the agent for as long as the router keeps the offer (CC_RING_TIMEOUT_S)
  local ring = c.ring
  local ring_s = math.floor(c.ring / 1000 + 0.5)
  if ci.number and ci.number ~= '' and ci.live ~= '1' then
    -- outbound work: the customer is dialled (the agent is reserved first), then the agent
    command('originate', cid .. '|originate|' .. ns, {call_id = cid, agent_id = aid,
            number = ci.number, origin_call_id = origin, ring_timeout_s = ring_s})
    ring = ring + c.orig
  else
    -- a caller waiting in line, or an outbound customer already on the line (live)
    command('connect', cid .. '|connect|' .. ns, {call_id = cid, agent_id = aid, ring_timeout_s = ring_s})
  end
  redis.call('ZADD', KT, fmt(NOW + ring), 'ring|' .. cid .. '|' .. ns)
end

-- put a call (back) in its queue at the step its wait has reached, or offer it at once
local function place(cid, q, trigger)
  local ci = call(cid)
  local arrived = tonumber(ci.arrived)
  local c = qconf(q)
  local step = step_at(c, NOW - arrived)
  local aid, n = find_agent(q, step)
  if aid then
    offer(cid, aid, q, step, c.strategy, n, trigger, false)
    return
  end
  put(k1('call', cid), 'state', 'waiting', 'agent', '', 'step', step)
  zadd(kq('wait', q, step), ci.score, cid)
  if step + 1 < #c.after then
    redis.call('ZADD', KT, fmt(arrived + c.after[step + 2]), 'esc|' .. cid)
  end
end

-- the agent becomes ready and takes the best waiting call it may serve, if any
local function make_ready(aid)
  local a = agent(aid)
  if a.state ~= 'ready' then
    local cid, q, s, n = find_call(elig_of(a.elig))
    set_state(aid, 'ready', nil, nil, cid ~= nil)
    if cid then offer(cid, aid, q, s, 'priority_then_wait', n, 'agent_ready', true) end
    return
  end
  set_state(aid, 'ready', nil, nil, false)
  local cid, q, s, n = find_call(elig_of(a.elig))
  if cid then offer(cid, aid, q, s, 'priority_then_wait', n, 'agent_ready', true) end
end

-- handle time (talk + hold + wrap-up) of the agent's last call, counted when wrap-up ends (in the
-- minute its call arrived)
local function finish_handle(aid)
  local a = agent(aid)
  if a.talk_from and a.talk_from ~= '' and a.queue and a.queue ~= '' then
    local ci = {}
    if a.call and a.call ~= '' then ci = rec(key('call', a.call), CALL_FIELDS) end
    if not (ci.number and ci.number ~= '') then -- outbound work is no inbound handle time
      stat_arrived(a.queue, 'handled', 1, ci)
      stat_arrived(a.queue, 'handle_ms', NOW - tonumber(a.talk_from), ci)
    end
  end
  if a.wrap_until and a.wrap_until ~= '' then redis.call('ZREM', KT, 'wrap|' .. aid) end
  put(k1('agent', aid), 'talk_from', '', 'call', '', 'wrap_until', '')
end

-- after a call: the queue's wrap-up, then ready. A call of no queue (a manual dial) taken while
-- not ready (back_reason: the reason then) returns the agent to not ready for that reason: they
-- chose not to take queue calls, and write their notes before choosing Ready themselves
local function wrap(aid, q)
  local c = false
  if q and q ~= '' then c = qconf(q) end
  local back = agent(aid).back_reason
  if back and back ~= '' then put(k1('agent', aid), 'back_reason', '') end
  if not c and back and back ~= '' then
    finish_handle(aid)
    set_state(aid, 'not_ready', back, nil, false)
  elseif c and c.wrap > 0 then
    set_state(aid, 'wrap_up', nil, nil, false, 'wrap_until', NOW + c.wrap)
    redis.call('ZADD', KT, fmt(NOW + c.wrap), 'wrap|' .. aid)
  else
    finish_handle(aid)
    make_ready(aid)
  end
end

local function tombstone(ck)
  put(ck, 'state', 'ended')
  later('EXPIRE', ck, 3600)
end

-- caught_up(stream, group): streams.lua, run in front of this file

-- publishing in the script: events first (whoever sees a command finds the events that explain
-- it), then commands; the effects Python completes (FX) still go through the outbox
local function publish()
  local events, commands, group = KEYS[2], KEYS[3], ARGV[7]
  if #EV > 0 then
    local skip = caught_up(events, group)
    local last
    for _, e in ipairs(EV) do last = redis.call('XADD', events, '*', unpack(e)) end
    if skip then redis.call('XGROUP', 'SETID', events, group, last) end
  end
  for _, c in ipairs(CMD) do redis.call('XADD', commands, '*', unpack(c)) end
  EV, CMD = {}, {}
end

-- write what the script changed, keep its effects in the outbox, return the result as a flat
-- list (no JSON encoding of the effects a second time): {<JSON of res>, outbox id or '',
-- effects: "<events JSON>\n<commands JSON>\n<effects JSON>" or ''} (scripts.decode_result)
local function finish(res)
  res = res or {}
  flush()
  if KEYS[3] then publish() end
  local o, data = '', ''
  if #EV + #CMD + #FX > 0 then
    local id = redis.call('INCR', key('seq'))
    data = cjson.encode(EV) .. '\n' .. cjson.encode(CMD) .. '\n' .. cjson.encode(FX)
    redis.call('ZADD', key('outbox'), fmt(NOW + LEASE), id)
    redis.call('HSET', key('outboxd'), id, data)
    o = tostring(id)
  end
  return {cjson.encode(res), o, data}
end
