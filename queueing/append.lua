-- Append many entries to one stream in one call (the router's effects of a batch).
-- KEYS[1]: the stream; ARGV[1]: JSON list of entries, each a flat [field, value, ...] list.
local n = 0
for _, entry in ipairs(cjson.decode(ARGV[1])) do
  redis.call('XADD', KEYS[1], '*', unpack(entry))
  n = n + 1
end
return n
