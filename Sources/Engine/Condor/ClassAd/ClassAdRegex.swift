/// A compiled `regexp()` pattern, matched with a Pike VM: time proportional to target length × program size,
/// whatever the pattern (no backtracking blow-up), and every step charged to the evaluation's budget.
struct ClassAdRegex {
    /// Longest pattern compiled (bytes); longer ones make `regexp()` an error.
    static let maximumPatternLength = 4096
    /// Largest program (instructions) a pattern may compile to.
    static let maximumProgramSize = 20_000

    enum Instruction {
        case bytes(ClassAdByteSet)
        case assertion(ClassAdRegexAssertion)
        case split(Int, Int)
        case jump(Int)
        case match
    }

    let program: [Instruction]

    init(pattern: String, options: ClassAdRegexOptions) throws(ClassAdRegexProblem) {
        let bytes = Array(pattern.utf8)
        guard bytes.count <= Self.maximumPatternLength else {
            throw .unsupported("a pattern longer than \(Self.maximumPatternLength) bytes")
        }
        var parser = ClassAdRegexParser(pattern: bytes, options: options)
        let node = try parser.parse()
        var compiler = Compiler()
        try compiler.emit(node)
        compiler.program.append(.match)
        program = compiler.program
    }

    struct Compiler {
        var program: [Instruction] = []

        mutating func append(_ instruction: Instruction) throws(ClassAdRegexProblem) {
            guard program.count < ClassAdRegex.maximumProgramSize else {
                throw .unsupported("a pattern this large once its counts are expanded")
            }
            program.append(instruction)
        }

        mutating func emit(_ node: ClassAdRegexNode) throws(ClassAdRegexProblem) {
            switch node {
            case .bytes(let set): try append(.bytes(set))
            case .assertion(let assertion): try append(.assertion(assertion))
            case .concatenation(let items): for item in items { try emit(item) }
            case .alternation(let branches):
                // split L1, next; L1: branch; jump end; next: split L2, … ; last branch
                var jumps: [Int] = []
                for (index, branch) in branches.enumerated() {
                    if index < branches.count - 1 {
                        let split = program.count
                        try append(.split(split + 1, 0))
                        try emit(branch)
                        jumps.append(program.count)
                        try append(.jump(0))
                        program[split] = .split(split + 1, program.count)
                    } else {
                        try emit(branch)
                    }
                }
                for jump in jumps { program[jump] = .jump(program.count) }
            case .repetition(let inner, let min, let max):
                for _ in 0..<min { try emit(inner) }
                if let max {
                    // (inner)? repeated max - min times
                    var splits: [Int] = []
                    for _ in min..<max {
                        splits.append(program.count)
                        try append(.split(program.count + 1, 0))
                        try emit(inner)
                    }
                    for split in splits { program[split] = .split(split + 1, program.count) }
                } else {
                    // L: split body, end; body; jump L
                    let loop = program.count
                    try append(.split(loop + 1, 0))
                    try emit(inner)
                    try append(.jump(loop))
                    program[loop] = .split(loop + 1, program.count)
                }
            }
        }
    }

    /// Whether the pattern matches anywhere in `target`; nil when `fuel` (decremented per step) runs out.
    func matches(_ target: [UInt8], fuel: inout Int) -> Bool? {
        var machine = Machine(program: program, target: target, fuel: fuel)
        let found = machine.run()
        fuel = machine.fuel
        return found
    }

    /// The Pike VM's state: the threads (program counters) at the current and next position.
    struct Machine {
        let program: [Instruction]
        let target: [UInt8]
        var fuel: Int
        var current: [Int] = []
        var next: [Int] = []
        var seen: [Int]
        var stack: [Int] = []
        var generation = 0

        init(program: [Instruction], target: [UInt8], fuel: Int) {
            self.program = program
            self.target = target
            self.fuel = fuel
            self.seen = [Int](repeating: -1, count: program.count)
        }

        mutating func run() -> Bool? {
            var position = 0
            while true {
                // A new thread starts at every position (an unanchored search), after the threads already here.
                if let found = add(0, at: position, toNext: false) { return found }
                if position >= target.count { return false }
                let byte = target[position]
                generation += 1
                next.removeAll(keepingCapacity: true)
                for index in current.indices {
                    let pc = current[index]
                    guard case .bytes(let set) = program[pc], set.contains(byte) else { continue }
                    if let found = add(pc + 1, at: position + 1, toNext: true) { return found }
                }
                swap(&current, &next)
                position += 1
            }
        }

        /// Adds the thread at `start` and those it reaches without consuming a byte. `nil` to go on; otherwise the
        /// answer: `true` on a match, `nil` when out of fuel.
        mutating func add(_ start: Int, at position: Int, toNext: Bool) -> Bool?? {
            stack.append(start)
            while let pc = stack.popLast() {
                guard pc >= 0, pc < program.count, seen[pc] != generation else { continue }
                seen[pc] = generation
                fuel -= 1
                if fuel < 0 { stack.removeAll(); return .some(nil) }
                switch program[pc] {
                case .bytes: if toNext { next.append(pc) } else { current.append(pc) }
                case .match: stack.removeAll(); return .some(true)
                case .jump(let target): stack.append(target)
                case .split(let first, let second):
                    stack.append(second)
                    stack.append(first)
                case .assertion(let assertion):
                    if ClassAdRegex.holds(assertion, at: position, in: target) { stack.append(pc + 1) }
                }
            }
            return nil
        }
    }

    static func holds(_ assertion: ClassAdRegexAssertion, at position: Int, in target: [UInt8]) -> Bool {
        let count = target.count
        switch assertion {
        case .start: return position == 0
        case .end: return position == count
        case .endOrFinalNewline: return position == count || (position == count - 1 && target[position] == 0x0A)
        // Not after a newline that ends the target (PCRE2, like Perl).
        case .lineStart: return position == 0 || (position < count && target[position - 1] == 0x0A)
        case .lineEnd: return position == count || target[position] == 0x0A
        case .wordBoundary, .notWordBoundary:
            let before = position > 0 && ClassAdByteSet.isWord(target[position - 1])
            let after = position < count && ClassAdByteSet.isWord(target[position])
            return (before != after) == (assertion == .wordBoundary)
        }
    }
}
