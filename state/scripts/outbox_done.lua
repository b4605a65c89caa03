-- outbox_done: an outbox entry reached every platform: acknowledge and drop it.
-- KEYS[1] the outbox stream
-- ARGV    group, entry id
-- helpers: none
redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])
return redis.call('XDEL', KEYS[1], ARGV[2])
