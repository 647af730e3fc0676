"""The trusted oracle and the data: the network, the convolution, the digits. Never in a student kernel."""
