-- _5attendance: what the roster still holds for someone in a running week.
-- SHIFTS is the list "date|shift|start ms|end ms" of the week's shift
-- instances that have not ended; a shift someone holds a slot on (lead,
-- minister on duty or agent) counts from now, or from its start, to its end.
local function rostered_left(prefix, id, shifts, now)
  local ms = 0
  for _, inst in ipairs(words(shifts)) do
    local date, shift, s, e = string.match(inst, '^([^|]+)|([^|]+)|(%d+)|(%d+)$')
    if date and slot_of(prefix, date, shift, id) then
      local from = math.max(tonumber(s), now)
      if tonumber(e) > from then ms = ms + tonumber(e) - from end
    end
  end
  return ms
end
