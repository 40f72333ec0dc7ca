procces { name = "a" }
