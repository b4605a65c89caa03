-- swap_request: !swap <date> <shift> with <person> -> approval S-n: the
-- other person accepts, then a minister or webmaster approves.
-- KEYS[1] any key of the site
-- ARGV    prefix, now, actor, src, date, shift, other, other's shifts to search (space list),
--         stuck_after ms
-- returns {'ok', id, other shift, other slot} | {'not_yours'} | {'no_such_person'} | {'self'}
--         | {'already_there'} | {'may_not_hold', who, slot} | {'on_leave', who} | {'duplicate', id}
--         | {'uncompletable', step, who} | {'approved'|'failed', ...}
-- helpers: say, words, notify_staff, staff_name, slot_of, may_hold, on_leave,
--   approval_new
local prefix, now, actor, src, date, shift, other, shifts =
  ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6], ARGV[7], ARGV[8]
local slot = slot_of(prefix, date, shift, actor)
if not slot then return { 'not_yours' } end
if other == actor then return { 'self' } end
if redis.call('EXISTS', prefix .. 'staff:' .. other) == 0 then return { 'no_such_person' } end
if slot_of(prefix, date, shift, other) then return { 'already_there' } end
if not may_hold(prefix, other, slot) then return { 'may_not_hold', other, slot } end
local other_shift, other_slot = '', ''
for _, s in ipairs(words(shifts)) do
  if s ~= shift then
    local os = slot_of(prefix, date, s, other)
    if os then other_shift, other_slot = s, os break end
  end
end
if other_slot ~= '' and not may_hold(prefix, actor, other_slot) then return { 'may_not_hold', actor, other_slot } end
if on_leave(prefix, other, date) then return { 'on_leave', other } end
for _, id in ipairs(redis.call('ZRANGE', prefix .. 'approvals:open', 0, -1)) do
  local a = redis.call('HMGET', prefix .. 'approval:' .. id, 'type', 'requester', 'shift')
  if a[1] == 'swap' and a[2] == actor and a[3] == date .. '|' .. shift then return { 'duplicate', id } end
end
-- the other person is asked with MSG_SWAP_ASKED, not the engine's announcement
local summary = say(other_shift ~= '' and 'MSG_SUM_SWAP_EXCHANGE' or 'MSG_SUM_SWAP',
  { 'from', staff_name(prefix, actor), 'shift', shift, 'date', date, 'to', staff_name(prefix, other),
    'theirs', other_shift })
local id, done = approval_new(prefix, now, src, 'S', 'swap', actor, { 'person:' .. other, 'role:minister' },
  { date = date, shift = date .. '|' .. shift, shift_name = shift, slot = slot, other = other,
    other_shift = other_shift, other_slot = other_slot, summary = summary, quiet1 = '1',
    digest = 'swap ' .. date .. ' ' .. shift .. ': ' .. actor .. ' -> ' .. other },
  'swap.request', 'swap ' .. date .. ' ' .. shift .. ': ' .. actor .. ' -> ' .. other)
if done then return done end
notify_staff(prefix, other, 'MSG_SWAP_ASKED', { id = id, from = staff_name(prefix, actor), summary = summary })
return { 'ok', id, other_shift, other_slot }
