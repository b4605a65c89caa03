-- checkin: clock in to the shift the caller is rostered on and that is open
-- for check-in now.  A lead's check-in delivers the handover privately.
-- KEYS[1] any key of the site
-- ARGV    prefix, now, actor, src, week, then the candidates
--         "date|shift|late after ms|previous date|previous shift"
-- returns {'ok', date, shift, slot, late 0|1} | {'already', date, shift} | {'not_rostered'}
local prefix, now, actor, src, week = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]
for i = 6, #ARGV do
  local date, shift, start, pdate, pshift = string.match(ARGV[i], '^([^|]+)|([^|]+)|([^|]+)|([^|]*)|([^|]*)$')
  local slot = slot_of(prefix, date, shift, actor)
  if slot then
    local att = prefix .. 'att:' .. date .. ':' .. shift
    if redis.call('HEXISTS', att, actor .. ':in') == 1 then return { 'already', date, shift } end
    local late = tonumber(now) > tonumber(start) and 1 or 0
    redis.call('HSET', att, actor .. ':in', now, actor .. ':late', late)
    redis.call('PEXPIRE', att, 400 * 86400000)
    if late == 1 then
      redis.call('HINCRBY', prefix .. 'latecount:' .. week, actor, 1)
      redis.call('HINCRBY', prefix .. 'staff:' .. actor, 'late_total', 1)
    end
    audit(prefix, now, actor, 'shift.checkin', actor, date .. ' ' .. shift .. (late == 1 and ' late' or ''), src)
    if slot == 'lead' then
      local h = redis.call('HMGET', prefix .. 'handover:' .. pdate .. ':' .. pshift, 'by', 'text')
      local pending = {}
      for _, id in ipairs(redis.call('ZRANGE', prefix .. 'approvals:open', 0, -1)) do
        local a = redis.call('HMGET', prefix .. 'approval:' .. id, 'shift', 'summary')
        if a[1] == date .. '|' .. shift then pending[#pending + 1] = id .. ' ' .. (a[2] or '') end
      end
      notify_staff(prefix, actor, 'MSG_HANDOVER_DELIVERY', {
        date = date, shift = shift, prev = pdate .. ' ' .. pshift,
        by = h[1] and staff_name(prefix, h[1]) or '-', notes = h[2] or '-',
        approvals = (#pending > 0 and table.concat(pending, '; ')) or '-' })
      local em, tech = {}, {}
      for _, id in ipairs(redis.call('ZRANGE', prefix .. 'emergencies:open', 0, -1)) do
        em[#em + 1] = id .. ' ' .. (redis.call('HGET', prefix .. 'emergency:' .. id, 'text') or '')
      end
      for _, id in ipairs(redis.call('ZRANGE', prefix .. 'tech:open', 0, -1)) do
        tech[#tech + 1] = id .. ' ' .. (redis.call('HGET', prefix .. 'tech:' .. id, 'text') or '')
      end
      if #em > 0 or #tech > 0 then
        notify_staff(prefix, actor, 'MSG_HANDOVER_OPEN_ITEMS', {
          emergencies = (#em > 0 and table.concat(em, '; ')) or '-',
          tech = (#tech > 0 and table.concat(tech, '; ')) or '-' })
      end
      local open = {}
      for _, key in ipairs({ 'complaints:queue', 'complaints:open' }) do
        for _, id in ipairs(redis.call('ZRANGE', prefix .. key, 0, 19)) do
          local c = redis.call('HMGET', prefix .. 'complaint:' .. id, 'priority', 'state')
          open[#open + 1] = id .. ' ' .. (c[1] or '') .. ' ' .. (c[2] or '')
        end
      end
      if #open > 0 then
        notify_staff(prefix, actor, 'MSG_HANDOVER_OPEN_COMPLAINTS', { complaints = table.concat(open, '; ') })
      end
    end
    return { 'ok', date, shift, slot, tostring(late) }
  end
end
return { 'not_rostered' }
