-- calendar_feed: the link of someone's calendar feed (!calendar feed
-- [department] [renew]).  A feed is icsfeed:<selector> {who, kind, token};
-- the URL carries selector and token, the selector finds the hash and the
-- token is compared in constant time (calendar_read), so a guessed selector
-- alone opens nothing.  icsfeeds holds each person's "<id>|<kind>" ->
-- selector, one feed per kind: a renewal deletes the old hash, so the old
-- URL is unknown from then on.
-- KEYS[1] icsfeeds
-- ARGV    prefix, now, actor, src, kind ('person'|'dept'), renew ('0'|'1'),
--         a new selector, a new token (random, from the daemon)
-- returns {'ok', selector, token, 'kept'|'new'|'renewed'}
-- helpers: audit
local prefix, now, actor, src, kind, renew, sel, tok =
  ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6], ARGV[7], ARGV[8]
local field = actor .. '|' .. kind
local old = redis.call('HGET', KEYS[1], field)
if old and renew ~= '1' then
  local t = redis.call('HGET', prefix .. 'icsfeed:' .. old, 'token')
  if t then return { 'ok', old, t, 'kept' } end
end
if old then redis.call('DEL', prefix .. 'icsfeed:' .. old) end
redis.call('HSET', prefix .. 'icsfeed:' .. sel, 'who', actor, 'kind', kind, 'token', tok)
redis.call('HSET', KEYS[1], field, sel)
audit(prefix, now, actor, old and 'calendar.feed_renew' or 'calendar.feed', actor, kind, src)
return { 'ok', sel, tok, old and 'renewed' or 'new' }
