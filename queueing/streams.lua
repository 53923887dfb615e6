-- Shared by every routing script (loaded in front of lib.lua, and of append.lua).

-- whether the consumer group has been handed every entry of the stream (then it can be
-- moved past the router's own events, which it never needs)
local function caught_up(stream, group)
  if not group or group == '' then return false end
  local groups = redis.pcall('XINFO', 'GROUPS', stream)
  if type(groups) ~= 'table' or groups.err then return false end
  local last = redis.call('XREVRANGE', stream, '+', '-', 'COUNT', 1)
  local last_id = (last[1] and last[1][1]) or '0-0'
  for _, g in ipairs(groups) do
    local name, delivered
    for i = 1, #g, 2 do
      if g[i] == 'name' then name = g[i + 1] elseif g[i] == 'last-delivered-id' then delivered = g[i + 1] end
    end
    if name == group then return delivered == last_id end
  end
  return false
end
