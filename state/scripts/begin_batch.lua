-- begin_batch: the first round trip of every command, for all the commands
-- read in one loop turn at once (bot/dispatch.c): for each, drop a message
-- already handled (by this instance before a resume replay, or by another
-- instance) and say who sent it.  One call for many commands: Redis's cost
-- per EVALSHA is paid once per batch instead of once per command.
--
-- Dedupe: the message ids handled are fields of one hash per connection and
-- time bucket, <prefix>seen:<connection>:<bucket>, bucket = now / ttl (Redis's
-- clock, so every instance agrees).  A message is a duplicate when its id is
-- in the current or the previous bucket; a bucket expires at the end of the
-- next one, so an id is remembered for at least ttl (at most 2 ttl).  A key
-- per message with SET NX PX cost twice as much of Redis's CPU: a new key
-- and an expiry entry per command in a keyspace of millions.
--
-- KEYS[1]    the identity index <prefix>ident
-- ARGV       prefix, dedupe ttl ms, then for each command: its connection and
--            message id ("" "" when not deduping), its identity
--            "<connection>:<user id>", the number of mentions M, then the
--            identities of the M people mentioned in the text (Discord/Slack "<@id>")
-- The staff and friend records (<prefix>staff:<id>, <prefix>friend:<identity>)
-- and the dedupe buckets are found by the script, so they cannot be in KEYS;
-- every key shares the {site} hash tag of the prefix, so all of them live in
-- one slot.
-- returns    one string per command, in order, its fields separated by NUL
--            (no field can hold one: they all come from C strings):
--            "0" duplicate | "1 id name role level lang" staff | "2 lang" friend,
--            then the staff id of each of the M mentions ("" if none).  A
--            string, not an array: Redis turns a Lua table of six into six
--            replies at about twice the cost, and hiredis makes an object of each.
-- helpers: none
local prefix, ttl, ident = ARGV[1], tonumber(ARGV[2]), KEYS[1]
local out, buckets = {}, {}
local bucket
local a, n = 3, 0
while a <= #ARGV do
  local conn, id, who, nm = ARGV[a], ARGV[a + 1], ARGV[a + 2], tonumber(ARGV[a + 3])
  local first = a + 4
  a = first + nm
  n = n + 1
  local dup = false
  if conn ~= '' then
    local b = buckets[conn]
    if b == nil then
      if bucket == nil then
        local t = redis.call('TIME')
        bucket = math.floor((tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)) / ttl)
      end
      local base = prefix .. 'seen:' .. conn .. ':'
      b = {string.format('%s%.0f', base, bucket), string.format('%s%.0f', base, bucket - 1)}
      buckets[conn] = b
    end
    dup = redis.call('HEXISTS', b[2], id) == 1 or redis.call('HSETNX', b[1], id, '1') == 0
  end
  if dup then
    out[n] = '0'
  else
    local res
    local id = redis.call('HGET', ident, who)
    if id then
      local r = redis.call('HMGET', prefix .. 'staff:' .. id, 'name', 'role', 'level', 'lang')
      if r[1] then
        res = '1\0' .. id .. '\0' .. r[1] .. '\0' .. (r[2] or 'agent') .. '\0' .. (r[3] or '') .. '\0' .. (r[4] or '')
      end
    end
    if not res then
      res = '2\0' .. (redis.call('HGET', prefix .. 'friend:' .. who, 'lang') or '')
    end
    for i = first, a - 1 do
      res = res .. '\0' .. (redis.call('HGET', ident, ARGV[i]) or '')
    end
    out[n] = res
  end
end
if bucket ~= nil then
  local until_ms = string.format('%.0f', (bucket + 2) * ttl)
  for _, b in pairs(buckets) do
    redis.call('PEXPIREAT', b[1], until_ms)
  end
end
return out
