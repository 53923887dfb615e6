-- Apply a batch of domain events (translated to ops by translate.py) to one routing domain.
-- ARGV[5]: JSON list of ops. Returns JSON {o = outbox id, fx = effects JSON, errors = [...]}.

local function arrive(op)
  local cid, q = op.call, op.queue
  local ck = key('call', cid)
  if redis.call('EXISTS', ck) == 1 then return end -- a duplicate, or the call already ended
  local c = qconf(q)
  if not c then return end
  local arrived = tonumber(op.ts)
  if arrived > NOW then arrived = NOW end
  local score = (PSPAN - 1 - op.prio) * SCALE + rel(arrived)
  redis.call('HSET', ck, 'queue', q, 'prio', op.prio, 'score', fmt(score), 'arrived', fmt(arrived),
             'state', 'waiting', 'offers', 0, 'tier', op.tier or '', 'customer', op.customer or '')
  redis.call('ZADD', key('inq', q), fmt(arrived), cid)
  stat(q, 'offered', 1)
  emit('call.queued', cid, nil, {queue = q, priority = op.prio, tier = op.tier}, cid, 'queued')
  if c.ann > 0 then redis.call('ZADD', key('timers'), fmt(NOW + c.ann), 'ann|' .. cid) end
  place(cid, q, op.trigger or 'call_arrived')
end

local function unwait(cid, q, state, step, offers)
  if state == 'waiting' then redis.call('ZREM', key('wait', q, step), cid) end
  redis.call('ZREM', key('timers'), 'esc|' .. cid, 'ann|' .. cid, 'ring|' .. cid .. '|' .. offers)
  redis.call('ZREM', key('inq', q), cid)
end

local function answer(op)
  local cid = op.call
  local ck = key('call', cid)
  local ci = redis.call('HMGET', ck, 'state', 'agent', 'queue', 'arrived', 'offers', 'step')
  local state = ci[1]
  local aid = op.agent
  if state == 'connected' or state == 'ended' then return end
  if not state then
    -- a call the router never queued (outbound, direct): the agent is on it all the same
    if aid then
      local st = redis.call('HGET', key('agent', aid), 'state')
      if st and st ~= 'logged_out' then
        set_state(aid, 'on_call', nil, cid)
        redis.call('HSET', key('agent', aid), 'call', cid, 'queue', '', 'talk_from', '')
      end
      redis.call('HSET', ck, 'state', 'connected', 'agent', aid, 'queue', '')
      redis.call('EXPIRE', ck, 86400)
    end
    return
  end
  local q = ci[3]
  local c = qconf(q)
  if not aid or aid == '' then aid = ci[2] end
  unwait(cid, q, state, ci[6], ci[5])
  redis.call('HSET', ck, 'state', 'connected', 'agent', aid or '', 'answered_at', fmt(NOW))
  if state == 'offered' and ci[2] ~= '' and ci[2] ~= aid then
    -- answered by someone else than the agent it was offered to: free that one
    if redis.call('HGET', key('agent', ci[2]), 'call') == cid then make_ready(ci[2]) end
  end
  if aid and aid ~= '' then
    local st = redis.call('HGET', key('agent', aid), 'state')
    if st and st ~= 'logged_out' then
      set_state(aid, 'on_call', nil, cid)
      redis.call('HSET', key('agent', aid), 'call', cid, 'queue', q, 'talk_from', fmt(NOW))
    end
  end
  if c then
    local wait = tonumber(op.ts) - tonumber(ci[4])
    if wait < 0 then wait = 0 end
    stat(q, 'answered', 1)
    stat(q, 'wait_ms', wait)
    if wait <= c.sl then stat(q, 'answered_sl', 1) end
  end
end

local function release_offer(cid, aid)
  if aid and aid ~= '' and redis.call('HGET', key('agent', aid), 'call') == cid then
    local st = redis.call('HGET', key('agent', aid), 'state')
    if st == 'offered' then make_ready(aid) end
  end
end

local function gone(op)
  local cid = op.call
  local ck = key('call', cid)
  local ci = redis.call('HMGET', ck, 'state', 'agent', 'queue', 'arrived', 'offers', 'step', 'number')
  local state = ci[1]
  if not state then tombstone(ck) return end
  if state == 'ended' then return end
  local q = ci[3]
  local aid = ci[2]
  if state == 'connected' then
    tombstone(ck)
    if aid and aid ~= '' then
      local a = redis.call('HMGET', key('agent', aid), 'state', 'call')
      if a[1] == 'on_call' and a[2] == cid then wrap(aid, q) end
    end
    return
  end
  local callback = ci[7] and ci[7] ~= ''
  if callback and state == 'waiting' and op.kind ~= 'failed' then return end -- caller left the line
  unwait(cid, q, state, ci[6], ci[5])
  tombstone(ck)
  if state == 'offered' then release_offer(cid, aid) end
  if callback then return end
  local c = qconf(q)
  if c then
    local wait = tonumber(op.ts) - tonumber(ci[4])
    stat(q, 'abandoned', 1)
    if wait < c.short then stat(q, 'abandoned_short', 1) end
  end
end

local function command_failed(op)
  local cid = op.call
  local ck = key('call', cid)
  local ci = redis.call('HMGET', ck, 'state', 'agent', 'queue', 'offers')
  if ci[1] ~= 'offered' or tonumber(ci[4]) ~= tonumber(op.n) then return end
  redis.call('ZREM', key('timers'), 'ring|' .. cid .. '|' .. ci[4])
  local fails = redis.call('HINCRBY', ck, 'fails', 1)
  local aid = ci[2]
  redis.call('HSET', ck, 'state', 'waiting', 'agent', '')
  if fails >= 3 then
    redis.call('ZREM', key('inq', ci[3]), cid)
    tombstone(ck)
  else
    place(cid, ci[3], 'requeue')
  end
  release_offer(cid, aid)
end

local function transfer(op)
  local cid = op.call
  local ck = key('call', cid)
  local ci = redis.call('HMGET', ck, 'state', 'agent', 'queue', 'prio', 'tier')
  if ci[1] == 'connected' and ci[2] and ci[2] ~= '' then
    local a = redis.call('HMGET', key('agent', ci[2]), 'state', 'call')
    if a[1] == 'on_call' and a[2] == cid then wrap(ci[2], ci[3]) end
  end
  if op.queue and ci[1] ~= 'ended' and qconf(op.queue) then
    redis.call('DEL', ck)
    arrive({call = cid, queue = op.queue, prio = tonumber(ci[4] or op.prio or 0), ts = NOW,
            tier = ci[5], trigger = 'transfer'})
  end
end

local HANDLERS = {arrive = arrive, answer = answer, gone = gone, command_failed = command_failed,
                  transfer = transfer}
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
