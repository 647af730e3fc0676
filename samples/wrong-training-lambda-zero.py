# Mistake: trains without regularisation (lambda = 0) instead of lambda = 1.
# Loses: trained_network
# Diagnosis: training-wrong-lambda

# %% grade_id="training"
trainedNeuralNetwork = fmin_cg(nnCostFunction, initialThetas, fprime=nnGradientFunction,
                               args=(XTrain, yTrain, 0), maxiter=60, full_output=1, retall=1)
