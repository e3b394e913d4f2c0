module glo-act/bench/loadgen

go 1.22
