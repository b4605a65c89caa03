-- handover_ack: the incoming lead takes the handover (!handover ack, or the
-- button on the handover); from then on they, not the outgoing lead, are
-- paged as the shift's lead (emergency_fire.lua).  An open handover is the
-- hash handack:<date>:<shift> {pdate, pshift, out, acked_by, acked_at, told}
-- of the shift it goes to, made by handover_set.lua.
-- KEYS[1] any key of the site
-- op 'ack':   ARGV prefix, now, actor, src, 'ack', the running and the next instances ("date|shift" space list)
--   returns {'ok', date, shift, pshift, pdate, outgoing lead's name} | {'already', date, shift, by name}
--           | {'nothing', date, shift} | {'not_lead'}
-- op 'timer': ARGV prefix, now, actor, src, 'timer', member, date, shift: not acknowledged by
--   now, the minister on duty of that shift (every minister when it has none) is told, once
--   returns {'gone'} | {'told', n}
-- helpers: audit, words, notify_staff, staff_name, staff_with_role, timer_done, roster_key,
--   slot_of
local prefix, now, actor, src, op = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]

local function ack_key(date, shift) return prefix .. 'handack:' .. date .. ':' .. shift end

if op == 'timer' then
  local member, date, shift = ARGV[6], ARGV[7], ARGV[8]
  timer_done(prefix, member)
  local h = redis.call('HMGET', ack_key(date, shift), 'out', 'acked_by', 'told', 'pdate', 'pshift')
  if not h[1] or h[2] or h[3] then return { 'gone' } end
  redis.call('HSET', ack_key(date, shift), 'told', now)
  local r = redis.call('HMGET', roster_key(prefix, date, shift), 'lead', 'minister')
  local params = { date = date, shift = shift, pdate = h[4] or '', pshift = h[5] or '',
    out = staff_name(prefix, h[1]), lead = r[1] and staff_name(prefix, r[1]) or '' }
  local msg = r[1] and 'MSG_HANDOVER_NOT_TAKEN' or 'MSG_HANDOVER_NOT_TAKEN_NO_LEAD'
  local to = r[2] and { r[2] } or staff_with_role(prefix, 'minister')
  local n = 0
  for _, m in ipairs(to) do
    if notify_staff(prefix, m, msg, params) then n = n + 1 end
  end
  audit(prefix, now, actor, 'shift.handover_not_taken', date .. ' ' .. shift, 'told ' .. n, src)
  return { 'told', tostring(n) }
end

local led, first = nil, nil
for _, inst in ipairs(words(ARGV[6])) do
  local date, shift = string.match(inst, '^([^|]+)|(.+)$')
  if date and slot_of(prefix, date, shift, actor) == 'lead' then
    first = first or { date, shift }
    local h = redis.call('HMGET', ack_key(date, shift), 'out', 'acked_by', 'pdate', 'pshift')
    if h[1] and not h[2] then
      redis.call('HSET', ack_key(date, shift), 'acked_by', actor, 'acked_at', now)
      timer_done(prefix, 'hoack|' .. date .. '|' .. shift)
      audit(prefix, now, actor, 'shift.handover_ack', date .. ' ' .. shift, 'from ' .. h[1], src)
      if h[1] ~= actor then
        notify_staff(prefix, h[1], 'MSG_HANDOVER_ACKED_OUT', { date = date, shift = shift,
          lead = staff_name(prefix, actor) })
      end
      return { 'ok', date, shift, h[4] or '', h[3] or '', staff_name(prefix, h[1]) }
    end
    if h[2] and not led then led = { 'already', date, shift, staff_name(prefix, h[2]) } end
  end
end
if led then return led end
if first then return { 'nothing', first[1], first[2] } end
return { 'not_lead' }
