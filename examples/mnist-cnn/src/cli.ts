console.log("tsgrad: the MNIST example arrives with issue 6");
