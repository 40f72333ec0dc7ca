process { name = "a", run = function(p) local x = p.index + #p.name; p:touch(99); p:nope() end }
