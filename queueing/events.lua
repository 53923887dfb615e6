-- Apply a batch of domain events (translated to ops by translate.py) to one routing domain.
-- ARGV[5]: JSON list of ops. Returns JSON {o = outbox id, fx = effects JSON, errors = [...]}.

local function arrive(op)
  local cid, q = op.call, op.queue
  local ck = key('call', cid)
  if not fresh(ck) then return end -- a duplicate, or the call already ended
  local c = qconf(q)
  if not c then return end
  local arrived = tonumber(op.ts)
  if arrived > NOW then arrived = NOW end
  local score = (PSPAN - 1 - op.prio) * SCALE + rel(arrived)
  put(ck, 'queue', q, 'prio', op.prio, 'score', score, 'arrived', arrived, 'day', DAY,
      'state', 'waiting', 'offers', 0, 'tier', op.tier or '', 'customer', op.customer or '',
      'caller', op.caller or '')
  redis.call('ZADD', k1('inq', q), fmt(arrived), cid)
  stat_arrived(q, 'offered', 1, {arrived = arrived, day = DAY})
  emit('call.queued', cid, nil, {queue = q, priority = op.prio, tier = op.tier}, cid, 'queued')
  if c.ann > 0 then redis.call('ZADD', KT, fmt(NOW + c.ann), 'ann|' .. cid) end
  place(cid, q, op.trigger or 'call_arrived')
end

-- the call leaves its queue: its wait set, its timers (escalation while waiting with a later step
-- to come, ring while offered, announcements when the queue has them), the queue's calls
local function unwait(cid, q, state, step, offers)
  local c = qconf(q)
  local timers = {}
  if state == 'waiting' then
    zrem(kq('wait', q, step), cid)
    if not c or tonumber(step) + 1 < #c.after then timers[1] = 'esc|' .. cid end
  elseif state == 'offered' then
    timers[1] = 'ring|' .. cid .. '|' .. offers
  end
  if not c or c.ann > 0 then timers[#timers + 1] = 'ann|' .. cid end
  if #timers > 0 then redis.call('ZREM', KT, unpack(timers)) end
  redis.call('ZREM', k1('inq', q), cid)
end

local function answer(op)
  local cid = op.call
  local ck = key('call', cid)
  local ci = rec(ck, CALL_FIELDS)
  local state = ci.state
  local aid = op.agent
  if state == 'connected' or state == 'ended' or state == 'callback' then return end
  if not state then
    -- a call the router never queued (outbound, direct): the agent is on it all the same
    if aid then
      local a = agent(aid)
      local st = a.state
      if st and st ~= 'logged_out' then
        local back = ''
        if st == 'not_ready' then back = a.reason or '' end -- a manual dial: wrap() returns there
        set_state(aid, 'on_call', nil, cid, false, 'call', cid, 'queue', '', 'talk_from', '',
                  'back_reason', back)
      end
      if a.dial == cid then put(k1('agent', aid), 'dial', '', 'dial_until', '') end
      put(ck, 'state', 'connected', 'agent', aid, 'queue', '')
      later('EXPIRE', ck, 86400)
    end
    return
  end
  local q = ci.queue
  local c = qconf(q)
  if not aid or aid == '' then aid = ci.agent end
  unwait(cid, q, state, ci.step, ci.offers)
  local offered_to = ci.agent
  put(ck, 'state', 'connected', 'agent', aid or '', 'answered_at', NOW)
  if state == 'offered' and offered_to and offered_to ~= '' and offered_to ~= aid then
    -- answered by someone else than the agent it was offered to: free that one
    if agent(offered_to).call == cid then make_ready(offered_to) end
  end
  if aid and aid ~= '' then
    local st = agent(aid).state
    if st and st ~= 'logged_out' then
      set_state(aid, 'on_call', nil, cid, false, 'call', cid, 'queue', q, 'talk_from', NOW)
    end
  end
  -- outbound work (a callback's dial, a return visit) was never offered: no inbound figure
  if c and not (ci.number and ci.number ~= '') then
    local wait = tonumber(op.ts) - tonumber(ci.arrived)
    if wait < 0 then wait = 0 end
    stat_arrived(q, 'answered', 1, ci)
    stat_arrived(q, 'wait_ms', wait, ci)
    if wait <= c.sl then stat_arrived(q, 'answered_sl', 1, ci) end
  end
end

-- the agent offered a call that went away is free again, and its dashboard with it (the call
-- field names the call the agent page shows)
local function release_offer(cid, aid)
  if aid and aid ~= '' then
    local a = agent(aid)
    if a.call == cid and a.state == 'offered' then
      put(k1('agent', aid), 'call', '')
      make_ready(aid)
    end
  end
end

local function gone(op)
  local cid = op.call
  local ck = key('call', cid)
  local ci = rec(ck, CALL_FIELDS)
  local state = ci.state
  if op.agent and op.agent ~= '' and agent(op.agent).dial == cid then
    put(k1('agent', op.agent), 'dial', '', 'dial_until', '') -- a manual dial that failed
  end
  if not state then tombstone(ck) return end
  -- 'callback': the caller's own leg after asking for a callback (its dial is another call)
  if state == 'ended' or state == 'callback' then return end
  local q = ci.queue
  local aid = ci.agent
  if state == 'connected' then
    tombstone(ck)
    if aid and aid ~= '' then
      local a = agent(aid)
      if a.state == 'on_call' and a.call == cid then wrap(aid, q) end
    end
    return
  end
  -- outbound work (a number to dial) ends with its dial: no abandon is counted
  local callback = ci.number and ci.number ~= ''
  unwait(cid, q, state, ci.step, ci.offers)
  tombstone(ck)
  if state == 'offered' then release_offer(cid, aid) end
  if callback then return end
  local c = qconf(q)
  if c then
    local wait = tonumber(op.ts) - tonumber(ci.arrived)
    stat_arrived(q, 'abandoned', 1, ci)
    if wait < c.short then stat_arrived(q, 'abandoned_short', 1, ci) end
  end
end

local function command_failed(op)
  local cid = op.call
  local ck = key('call', cid)
  local ci = rec(ck, CALL_FIELDS)
  if ci.state ~= 'offered' or tonumber(ci.offers) ~= tonumber(op.n) then return end
  redis.call('ZREM', KT, 'ring|' .. cid .. '|' .. ci.offers)
  local fails = (tonumber(ci.fails) or 0) + 1
  local aid = ci.agent
  put(ck, 'fails', fails, 'state', 'waiting', 'agent', '')
  if fails >= 3 then
    redis.call('ZREM', k1('inq', ci.queue), cid)
    tombstone(ck)
  else
    place(cid, ci.queue, 'requeue')
  end
  release_offer(cid, aid)
end

-- telephony could not dial the offered agent at all (CHANUNAVAIL: phone not registered,
-- CONGESTION, BUSY): the offer ends now, not at its ring timeout; the agent goes not ready
-- ('unreachable', like 'rona' a reason only the router gives) and the call is offered again.
-- The dialplan has already sent the caller back to holding: no return_to_hold.
local function unreachable(op)
  local cid = op.call
  local ck = key('call', cid)
  local ci = rec(ck, CALL_FIELDS)
  if ci.state ~= 'offered' or ci.agent ~= op.agent then return end
  redis.call('ZREM', KT, 'ring|' .. cid .. '|' .. ci.offers)
  put(ck, 'state', 'waiting', 'agent', '')
  if agent(op.agent).call == cid then
    set_state(op.agent, 'not_ready', 'unreachable', cid, false, 'call', '')
  end
  if ci.number and ci.number ~= '' then put(ck, 'live', '1') end -- the customer holds now
  place(cid, ci.queue, 'requeue')
end

-- an outbound customer answered (OriginateResponse): from now on the call is on the line, so
-- offering it again means connecting that customer, not dialling them once more
local function up(op)
  local ck = key('call', op.call)
  local ci = rec(ck, CALL_FIELDS)
  if ci.number and ci.number ~= '' and (ci.state == 'offered' or ci.state == 'waiting') then
    put(ck, 'live', '1')
  end
end

local function transfer(op)
  local cid = op.call
  local ck = key('call', cid)
  local ci = rec(ck, CALL_FIELDS)
  if ci.state == 'connected' and ci.agent and ci.agent ~= '' and ci.agent ~= op.agent then
    local a = agent(ci.agent)
    if a.state == 'on_call' and a.call == cid then wrap(ci.agent, ci.queue) end
  end
  -- to an agent (blind or attended): the call is theirs now, they are on it until it ends
  if op.agent and ci.state == 'connected' and ci.agent ~= op.agent then
    put(ck, 'agent', op.agent)
    local st = agent(op.agent).state
    if st and st ~= 'logged_out' then
      set_state(op.agent, 'on_call', nil, cid, false, 'call', cid, 'queue', ci.queue or '',
                'talk_from', NOW)
    end
  end
  if op.queue and ci.state ~= 'ended' and qconf(op.queue) then
    local prio, tier = ci.prio, ci.tier
    drop(ck)
    arrive({call = cid, queue = op.queue, prio = tonumber(prio or op.prio or 0), ts = NOW,
            tier = tier, trigger = 'transfer'})
  end
end

local HANDLERS = {arrive = arrive, answer = answer, gone = gone, command_failed = command_failed,
                  transfer = transfer, unreachable = unreachable, up = up}
-- an op that fails (a bug, bad data) is reported and skipped; the batch's other ops still count
local errors = {}
for _, op in ipairs(cjson.decode(ARGV[5])) do
  for k, v in pairs(op) do if v == cjson.null then op[k] = nil end end
  local handler = HANDLERS[op.op]
  local ok, err = pcall(handler or error, handler and op or ('unknown op ' .. tostring(op.op)))
  if not ok then errors[#errors + 1] = {call = op.call, op = op.op, error = tostring(err)} end
end
if #errors > 0 then return finish({errors = errors}) end
return finish()
