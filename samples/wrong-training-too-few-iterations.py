# Mistake: stops fmin_cg after 10 iterations instead of 60.
# Loses: trained_network
# Diagnosis: training-too-few-iterations

# %% grade_id="training"
trainedNeuralNetwork = fmin_cg(nnCostFunction, initialThetas, fprime=nnGradientFunction,
                               args=(XTrain, yTrain, 1), maxiter=10, full_output=1, retall=1)
