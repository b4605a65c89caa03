-- overdue_alert: the auditor's one alert to the alerts channel for an
-- episode of lateness; several instances that notice the same one post it
-- once (a marker that lives as long as the bound).
-- KEYS[1] the marker
-- ARGV    prefix, message id, minutes late, bound ms
-- returns 1 when posted, 0 when another instance already did
-- helpers: notify_channel
if not redis.call('SET', KEYS[1], '1', 'NX', 'PX', tonumber(ARGV[4])) then return 0 end
notify_channel(ARGV[1], 'alerts', ARGV[2], { minutes = ARGV[3] })
return 1
