local m = { ram = "64M" }
for _, k in ipairs({ "v_free_min", "v_free_reserved", "v_free_target", "swap_async_max", "v_interrupt_free_min", "v_pageout_free_min" }) do m[k] = 7 end
m.v_free_min = 1.5
machine(m)
process { name = "a", run = function(p) end }
