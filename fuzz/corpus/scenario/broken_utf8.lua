process { name = utf8.char(0x10FFFF, 0x41), run = function(p) p:compute(utf8.len("\xff") or 0) end }
