-- One agent action, its precondition checked and its change made in one step.
-- ARGV[5]: JSON {op, agent, allowed = [states], reason, skills, elig, ready, extend_ms, call,
-- number, queue}. Returns JSON {err = 'state'|'call'|'skill'|'queue', state = ...} or {o, fx,
-- state = new state} (and for a callback: queue = the call's queue, dial = the id of the call
-- that will dial it; for a move: queue = the call's new queue).
local op = cjson.decode(ARGV[5])
local aid = op.agent
local ak = key('agent', aid)
local state = agent(aid).state or 'logged_out'
local ok = false
for _, s in ipairs(op.allowed) do if s == state then ok = true end end
if not ok then return cjson.encode({err = 'state', state = state}) end

local cb_queue, cb_dial = nil, nil

local function leave_wrap()
  if state == 'wrap_up' then finish_handle(aid) end
end

if op.op == 'login' then
  put(ak, 'elig', op.elig, 'skills', op.skills, 'login_at', NOW, 'call', '', 'reason', '',
      'state', 'logged_out')
  redis.call('SADD', key('agents'), aid)
  emit('agent.logged_in', nil, aid, {skills = cjson.decode(op.skills)}, aid, 'logged_in', fmt(NOW))
  if op.ready then make_ready(aid) else set_state(aid, 'not_ready', op.reason, nil) end
elseif op.op == 'ready' then
  local a = agent(aid)
  if a.dial and a.dial ~= '' and (tonumber(a.dial_until) or 0) > NOW then
    return cjson.encode({err = 'state', state = 'dialling'}) -- its call is about to ring
  end
  leave_wrap()
  make_ready(aid)
elseif op.op == 'dial' then
  -- a manual dial is placed: Ready is refused until its call is answered or fails (or, should
  -- neither ever be heard of, until dial_until)
  put(ak, 'dial', op.call, 'dial_until', NOW + op.pending_ms)
elseif op.op == 'not_ready' then
  leave_wrap()
  set_state(aid, 'not_ready', op.reason, nil)
elseif op.op == 'extend_wrap_up' then
  local untl = tonumber(agent(aid).wrap_until) + op.extend_ms
  put(ak, 'wrap_until', untl)
  redis.call('ZADD', key('timers'), fmt(untl), 'wrap|' .. aid)
elseif op.op == 'reindex' then
  -- the agent's skills or the queues' settings changed: out of the ready sets and the per-queue
  -- counters under the old eligibility, into them under the new; a ready agent then takes the
  -- best waiting call it may now serve
  local a = agent(aid)
  if a.idx == '1' or (a.idx == nil and state == 'ready') then
    unindex(aid, elig_of(a.elig))
    put(ak, 'idx', '0')
  end
  count_state(a.elig, state, -1)
  count_state(op.elig, state, 1)
  put(ak, 'elig', op.elig, 'skills', op.skills)
  if state == 'ready' then make_ready(aid) end
elseif op.op == 'logout' then
  leave_wrap()
  set_state(aid, 'logged_out', nil, nil)
  redis.call('SREM', key('agents'), aid)
  emit('agent.logged_out', nil, aid, {}, aid, 'logged_out', fmt(NOW))
elseif op.op == 'callback' then
  local ck = key('call', op.call)
  local ci = rec(ck, CALL_FIELDS)
  if ci.state == 'callback' or (ci.number and ci.number ~= '') then -- 'waiting' would not say why
    return cjson.encode({err = 'call', state = 'waiting for a callback'})
  end
  if ci.state ~= 'waiting' then
    return cjson.encode({err = 'call', state = ci.state or 'unknown'})
  end
  -- The dial is a call of its own (its own telephony call and record), linked to the caller's
  -- by origin: it takes the caller's place in line (same wait set and score, same arrival and
  -- escalation), and the caller's own leg leaves routing (state 'callback': its hang-up is no
  -- abandon, and it can ask only once).
  local q = ci.queue
  cb_dial = op.call .. '-cb'
  local dk = key('call', cb_dial)
  if not fresh(dk) then return cjson.encode({err = 'call', state = 'waiting for a callback'}) end
  local fields = redis.call('HGETALL', ck)
  local copy = {}
  for i = 1, #fields, 2 do
    local f = fields[i]
    if f ~= 'state' and f ~= 'agent' and f ~= 'ann' then
      copy[#copy + 1] = f
      copy[#copy + 1] = fields[i + 1]
    end
  end
  put(dk, unpack(copy))
  put(dk, 'state', 'waiting', 'agent', '', 'number', op.number, 'origin', op.call)
  local wk = key('wait', q, ci.step)
  zrem(wk, op.call)
  zadd(wk, ci.score, cb_dial)
  local inq = key('inq', q)
  redis.call('ZADD', inq, redis.call('ZSCORE', inq, op.call) or fmt(NOW), cb_dial)
  redis.call('ZREM', inq, op.call)
  local esc = redis.call('ZSCORE', key('timers'), 'esc|' .. op.call)
  if esc then redis.call('ZADD', key('timers'), esc, 'esc|' .. cb_dial) end
  redis.call('ZREM', key('timers'), 'esc|' .. op.call, 'ann|' .. op.call)
  put(ck, 'state', 'callback', 'number', op.number)
  later('EXPIRE', ck, 86400)
  local customer = redis.call('HGET', ck, 'customer') or ''
  emit('outbound.scheduled', op.call, aid, {kind = 'callback_in_queue', queue = q,
       number = op.number, due = 'in_turn', tier = ci.tier or '', customer_id = customer,
       dial_call_id = cb_dial}, op.call, 'callback')
  emit('call.queued', cb_dial, nil, {queue = q, priority = tonumber(ci.prio), tier = ci.tier,
       direction = 'outbound', kind = 'callback_in_queue', origin_call_id = op.call},
       cb_dial, 'queued')
  cb_queue = q
elseif op.op == 'route' then
  -- a supervisor offers a waiting call to a chosen ready agent who serves its queue: checked
  -- and offered in this one script, so the router's own matching cannot take either in between
  local ci = rec(key('call', op.call), CALL_FIELDS)
  if ci.state ~= 'waiting' then return cjson.encode({err = 'call', state = ci.state or 'unknown'}) end
  local serves = false
  local el = elig_of(agent(aid).elig)
  for i = 1, #el, 5 do if el[i] == ci.queue then serves = true end end
  if not serves then return cjson.encode({err = 'skill', state = ci.queue}) end
  offer(op.call, aid, ci.queue, tonumber(ci.step) or 0, 'supervisor', 1, 'supervisor', true)
  cb_queue = ci.queue
elseif op.op == 'move' then
  -- a waiting call moves to another queue of the domain and keeps its arrival (wait, service
  -- level and escalation count from it); its offered count moves with it (the minute it arrived)
  local ck = key('call', op.call)
  local ci = rec(ck, CALL_FIELDS)
  if ci.state ~= 'waiting' then return cjson.encode({err = 'call', state = ci.state or 'unknown'}) end
  local from, to = ci.queue, op.queue
  if from == to then return cjson.encode({err = 'queue', state = 'already in ' .. to}) end
  if not qconf(to) then return cjson.encode({err = 'queue', state = 'not a queue of this domain'}) end
  zrem(kq('wait', from, tonumber(ci.step) or 0), op.call)
  redis.call('ZREM', KT, 'esc|' .. op.call)
  redis.call('ZREM', k1('inq', from), op.call)
  redis.call('ZADD', k1('inq', to), fmt(tonumber(ci.arrived)), op.call)
  if not (ci.number and ci.number ~= '') then -- outbound work was never offered
    stat_arrived(from, 'offered', -1, ci)
    stat_arrived(to, 'offered', 1, ci)
  end
  put(ck, 'queue', to)
  emit('call.moved', op.call, nil, {from_queue = from, queue = to,
       arrived_ms = tonumber(ci.arrived)}, op.call, 'moved', to, NOWS)
  place(op.call, to, 'moved')
  cb_queue = to
end
return finish({state = agent(aid).state, queue = cb_queue, dial = cb_dial})
