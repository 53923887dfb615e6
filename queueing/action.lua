-- One agent action, its precondition checked and its change made in one step.
-- ARGV[5]: JSON {op, agent, allowed = [states], reason, skills, elig, ready, extend_ms, call,
-- number}. Returns JSON {err = 'state'|'call', state = ...} or {o, fx, state = new state} (and
-- queue = the call's queue for a callback).
local op = cjson.decode(ARGV[5])
local aid = op.agent
local ak = key('agent', aid)
local state = agent(aid).state or 'logged_out'
local ok = false
for _, s in ipairs(op.allowed) do if s == state then ok = true end end
if not ok then return cjson.encode({err = 'state', state = state}) end

local cb_queue = nil

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
  leave_wrap()
  make_ready(aid)
elseif op.op == 'not_ready' then
  leave_wrap()
  set_state(aid, 'not_ready', op.reason, nil)
elseif op.op == 'extend_wrap_up' then
  local untl = tonumber(agent(aid).wrap_until) + op.extend_ms
  put(ak, 'wrap_until', untl)
  redis.call('ZADD', key('timers'), fmt(untl), 'wrap|' .. aid)
elseif op.op == 'logout' then
  leave_wrap()
  set_state(aid, 'logged_out', nil, nil)
  redis.call('SREM', key('agents'), aid)
  emit('agent.logged_out', nil, aid, {}, aid, 'logged_out', fmt(NOW))
elseif op.op == 'callback' then
  local ck = key('call', op.call)
  local ci = rec(ck, CALL_FIELDS)
  if ci.number and ci.number ~= '' then  -- asked for already: 'waiting' would not say why
    return cjson.encode({err = 'call', state = 'waiting for a callback'})
  end
  if ci.state ~= 'waiting' then
    return cjson.encode({err = 'call', state = ci.state or 'unknown'})
  end
  put(ck, 'number', op.number)
  emit('outbound.scheduled', op.call, aid, {kind = 'callback_in_queue', queue = ci.queue,
       number = op.number, due = 'in_turn', tier = ci.tier or '',
       customer_id = redis.call('HGET', ck, 'customer') or ''}, op.call, 'callback')
  cb_queue = ci.queue
end
return finish({state = agent(aid).state, queue = cb_queue})
