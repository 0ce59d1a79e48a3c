// Every kernel's bench module, in the order both runners run them (included by main.rs,
// criterion's binary, and count.rs, the count binary). A new kernel: its module beside
// these, benches/rust/<kernel>.rs, and its name here.
macro_rules! with_kernels {
    ($then:ident) => {
        $then!(add, checked_div, map_callback, scale, holder, summarize, counter);
    };
}
