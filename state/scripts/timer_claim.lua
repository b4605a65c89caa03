-- timer_claim: take the timers that are due.  Claiming moves a member's
-- score to now + lease, so no other instance sees it due; the fire script
-- removes it when done.  If the claimer dies, the lease runs out and another
-- instance fires it again: fire scripts are idempotent.
-- KEYS[1] the timers set
-- ARGV    now, lease ms, limit
-- returns {{member, ...}, next due score or ''}
-- helpers: none
local now, lease = tonumber(ARGV[1]), tonumber(ARGV[2])
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, tonumber(ARGV[3]))
for _, m in ipairs(due) do
  redis.call('ZADD', KEYS[1], now + lease, m)
end
local nxt = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return { due, nxt[2] or '' }
